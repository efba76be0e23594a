import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RedisBusStats } from '../bus/redis-bus.ts';
import type { SecureKitMetricsSnapshot } from '../kit/secure-kit-metrics.ts';
import type { ServerTimingObserver } from '../server/server-timings.ts';

/** Milliseconds in a second: the server times in ms, Prometheus wants seconds. */
const MS_PER_SECOND = 1_000;

/** Defaults of {@link PrometheusMetricsOptions}. */
export const PROMETHEUS_DEFAULTS = Object.freeze({
  /** Starts every metric name. */
  prefix: 'sealed_',
  /** Upper bounds (seconds) of the send-duration histogram: from 0.1 ms (a plaintext fan-out) to 1 s. */
  deliveryBucketsSeconds: Object.freeze([0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]),
  /** Upper bounds (seconds) of the client-open histogram: from 1 ms (a resumed handshake on loopback) to 5 s (`authTimeout`). */
  openBucketsSeconds: Object.freeze([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]),
});

/** Server counters that go up and down, exported as gauges; every other number of `getMetrics()` is a counter. */
const SERVER_GAUGES: ReadonlySet<string> = new Set(['connections', 'incompleteRequests', 'pendingUpgrades', 'rooms', 'transformsInFlight', 'transformsPeak']);

/** What {@link PrometheusMetrics} reads from the server. */
export interface MeasuredServer {
  getMetrics(): object;
  observeTimings(observer: ServerTimingObserver): () => void;
}

/** Options of {@link PrometheusMetrics}. */
export interface PrometheusMetricsOptions {
  /** The server whose counters, gauges and timings are exported. */
  server: MeasuredServer;
  /** The secure kit, for its handshake, ticket and rekey counters. */
  kit?: { getMetrics(): SecureKitMetricsSnapshot };
  /** The Redis bus, for its reconnects and errors. */
  bus?: { readonly stats: RedisBusStats };
  /** Where the metrics are registered; a registry of their own by default (not prom-client's global one). */
  registry?: Registry;
  /** Starts every metric name; `sealed_` by default. */
  prefix?: string;
  /** Also export Node's process metrics (CPU, memory, event-loop lag, GC) under the same prefix; false by default. */
  processMetrics?: boolean;
}

/**
 * The server's metrics for Prometheus, with `prom-client`: every counter of
 * `getMetrics()` (as `<prefix><name>_total`), its gauges, the secure kit's
 * counters (`<prefix>kit_...`, refusals labelled by `reason`), the Redis
 * bus's reconnects and errors, and two histograms: how long sends take
 * (`<prefix>delivery_duration_seconds`, labelled by `target`) and how long
 * clients take to open (`<prefix>client_open_duration_seconds`). Counters
 * are read at scrape time, so they cost nothing between scrapes.
 *
 * @example
 * const metrics = new PrometheusMetrics({ server: helper, kit });
 * // in an HTTP handler: response.setHeader('content-type', metrics.contentType).end(await metrics.scrape());
 */
export class PrometheusMetrics {
  readonly registry: Registry;
  readonly #stopObserving: () => void;

  constructor(options: PrometheusMetricsOptions) {
    this.registry = options.registry ?? new Registry();
    const prefix = options.prefix ?? PROMETHEUS_DEFAULTS.prefix;
    const registers = [this.registry];
    const { server, kit, bus } = options;

    for (const key of Object.keys(server.getMetrics())) {
      const read = (): number => Number((server.getMetrics() as Record<string, unknown>)[key]) || 0;
      const help = `Sealed server ${SERVER_GAUGES.has(key) ? 'gauge' : 'counter'} ${key} (docs/options.md, Metrics)`;
      if (SERVER_GAUGES.has(key)) {
        new Gauge({ name: `${prefix}${snakeCase(key)}`, help, registers, collect() { this.set(read()); } });
      } else {
        new Counter({ name: `${prefix}${snakeCase(key)}_total`, help, registers, collect() { setCounter(this, read()); } });
      }
    }
    if (kit) registerKitMetrics(prefix, registers, kit);
    if (bus) {
      new Counter({ name: `${prefix}bus_reconnects_total`, help: 'Times the Redis bus reconnected', registers, collect() { setCounter(this, bus.stats.reconnects); } });
      new Counter({ name: `${prefix}bus_errors_total`, help: 'Errors the Redis bus reported', registers, collect() { setCounter(this, bus.stats.errors); } });
    }

    const delivery = new Histogram({
      name: `${prefix}delivery_duration_seconds`,
      help: 'Time from a send call until every local recipient had its frame written or dropped, by target (client, user, room, all)',
      labelNames: ['target'],
      buckets: [...PROMETHEUS_DEFAULTS.deliveryBucketsSeconds],
      registers,
    });
    const open = new Histogram({
      name: `${prefix}client_open_duration_seconds`,
      help: 'Time from an accepted upgrade until the client was open: the handshake and authentication',
      buckets: [...PROMETHEUS_DEFAULTS.openBucketsSeconds],
      registers,
    });
    this.#stopObserving = server.observeTimings({
      clientOpened: (durationMs) => open.observe(durationMs / MS_PER_SECOND),
      messageSent: (durationMs, kind) => delivery.observe({ target: kind }, durationMs / MS_PER_SECOND),
    });
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix });
  }

  /** The `Content-Type` of {@link scrape}'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in Prometheus's text exposition format. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  /** Stops timing the server and removes every metric from the registry. */
  close(): void {
    this.#stopObserving();
    this.registry.clear();
  }
}

function registerKitMetrics(prefix: string, registers: Registry[], kit: NonNullable<PrometheusMetricsOptions['kit']>): void {
  const counters: Array<[name: string, help: string, read: (snapshot: SecureKitMetricsSnapshot) => number]> = [
    ['handshakes_completed', 'Handshakes the secure kit completed (full and resumed)', (snapshot) => snapshot.handshakesCompleted],
    ['resumptions', 'Connections resumed from a ticket and accepted', (snapshot) => snapshot.resumptions],
    ['tickets_issued', 'Resumption tickets sent to clients', (snapshot) => snapshot.ticketsIssued],
    ['rekeys', 'Secure-channel rekeys', (snapshot) => snapshot.rekeys],
    ['frames_refused', 'Protected frames that failed to open (tampered, replayed, reordered)', (snapshot) => snapshot.framesRefused],
  ];
  for (const [name, help, read] of counters) {
    new Counter({ name: `${prefix}kit_${name}_total`, help, registers, collect() { setCounter(this, read(kit.getMetrics())); } });
  }
  const labelled: Array<[name: string, help: string, read: (snapshot: SecureKitMetricsSnapshot) => Partial<Record<string, number>>]> = [
    ['handshake_refusals', 'Handshakes the secure kit refused, by reason', (snapshot) => snapshot.handshakeRefusals],
    ['ticket_refusals', 'Resumption tickets not taken (the full handshake ran instead), by reason', (snapshot) => snapshot.ticketRefusals],
  ];
  for (const [name, help, read] of labelled) {
    new Counter({
      name: `${prefix}kit_${name}_total`,
      help,
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const [reason, count] of Object.entries(read(kit.getMetrics()))) this.inc({ reason }, count ?? 0);
      },
    });
  }
}

/** A counter read from a running total: its value becomes the total. */
function setCounter(counter: Counter, total: number): void {
  counter.reset();
  counter.inc(Math.max(0, total));
}

/** `messagesDelivered` becomes `messages_delivered`. */
function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
