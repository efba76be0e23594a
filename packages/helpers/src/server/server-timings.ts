import type { DeliveryTarget } from './delivery/delivery-target.ts';

/** What a send was addressed to, as timings report it. */
export type SendKind = DeliveryTarget['kind'];

/**
 * Told how long things take, for histograms (`PrometheusMetrics` is one).
 * Every method is optional and called synchronously; what an observer
 * throws is dropped, so it never disturbs the server.
 */
export interface ServerTimingObserver {
  /** A client became open: milliseconds since its upgrade was accepted, the handshake and `authenticateFn` included. */
  clientOpened?(durationMs: number): void;
  /** A send of this instance finished: milliseconds from the call until each local recipient's frame was written or dropped (a room's history append included). */
  messageSent?(durationMs: number, kind: SendKind): void;
}

/**
 * The server's timing observers. Nothing is measured while there are none,
 * so timings cost nothing unless asked for.
 */
export class ServerTimings {
  readonly #observers = new Set<ServerTimingObserver>();

  /** Whether anyone listens: only then are clocks read. */
  get active(): boolean {
    return this.#observers.size > 0;
  }

  /** Adds an observer; returns its removal. */
  observe(observer: ServerTimingObserver): () => void {
    this.#observers.add(observer);
    return () => void this.#observers.delete(observer);
  }

  /** Runs a send, timed for the observers when there are any. */
  timeSend<Report>(kind: SendKind, send: () => Promise<Report>): Promise<Report> {
    if (!this.active) return send();
    const startedAt = performance.now();
    return send().then((report) => {
      this.messageSent(performance.now() - startedAt, kind);
      return report;
    });
  }

  clientOpened(durationMs: number): void {
    for (const observer of this.#observers) ignoringErrors(() => observer.clientOpened?.(durationMs));
  }

  messageSent(durationMs: number, kind: SendKind): void {
    for (const observer of this.#observers) ignoringErrors(() => observer.messageSent?.(durationMs, kind));
  }
}

function ignoringErrors(call: () => void): void {
  try {
    call();
  } catch {
    // An observer's failure is its own: the server goes on.
  }
}
