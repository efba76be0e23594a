import type { Logger } from '../../logging/logger.ts';
import type { ThrottledLog } from '../../logging/throttled-log.ts';
import type { BusChannels } from '../../bus/bus-channels.ts';
import type { BusEnvelope, BusTarget, EnvelopeCodec } from '../../bus/bus-envelope.ts';
import type { MessageBus } from '../../bus/message-bus.ts';
import type { ReplayGuard } from '../../crypto/replay-guard.ts';
import type { RoomPosition } from '../../protocol/room-position.ts';
import type { ServerMetrics } from '../server-metrics.ts';

/** What one instance relays to the others. */
export interface RelayedMessage {
  event: string;
  data?: unknown;
  /** Client ids that must not receive it. */
  exclude?: readonly string[] | undefined;
  /** Its position in its room's history. */
  position?: RoomPosition | undefined;
}

/** Dependencies of a {@link ClusterRelay}. */
export interface ClusterRelayInit {
  bus: MessageBus;
  instanceId: string;
  channels: BusChannels;
  codec: EnvelopeCodec;
  /** Envelope ids seen within the age window: a repeated one is dropped. */
  seen: ReplayGuard;
  now: () => number;
  metrics: ServerMetrics;
  logger: Logger;
  /** Logs what a peer can repeat at will: the first of each kind per window, then a summary. */
  throttledLog: ThrottledLog;
  /** Delivers an envelope from another instance to this instance's clients. */
  deliver: (envelope: BusEnvelope) => void;
}

/**
 * Connects one server to the bus: publishes what it sends so other
 * instances deliver to their clients, and delivers what others publish to
 * its own clients (never publishing it again). Subscribes to a room's or a
 * user's channel only while this instance has a local member, plus its own
 * instance channel and the everyone channel.
 */
export class ClusterRelay {
  readonly #subscribed = new Set<string>();

  constructor(private readonly init: ClusterRelayInit) {}

  start(): void {
    this.#subscribe(this.init.channels.instance(this.init.instanceId));
    this.#subscribe(this.init.channels.all());
  }

  roomOpened(room: string): void {
    this.#subscribe(this.init.channels.room(room));
  }

  roomClosed(room: string): void {
    this.#unsubscribe(this.init.channels.room(room));
  }

  userOpened(userId: string): void {
    this.#subscribe(this.init.channels.user(userId));
  }

  userClosed(userId: string): void {
    this.#unsubscribe(this.init.channels.user(userId));
  }

  /**
   * Publishes to other instances; a failure is counted, never thrown. An
   * envelope larger than `maxBusEnvelopeBytes` is not published (the other
   * instances would drop it): counted in `busPublishFailures` and logged.
   */
  async publish(target: BusTarget, message: RelayedMessage): Promise<void> {
    const channel = this.init.channels.forTarget(target);
    if (channel === undefined) return;
    const { event, data, exclude, position } = message;
    const envelope: BusEnvelope = { origin: this.init.instanceId, target, event, data };
    if (exclude && exclude.length > 0) envelope.exclude = [...exclude];
    if (position) envelope.position = position;
    const encoded = this.init.codec.encode(envelope, channel, this.init.now());
    if (!encoded.ok) {
      this.init.metrics.busPublishFailures += 1;
      this.init.logger.warn({ rejection: encoded.code, event }, 'bus envelope too large; message not relayed');
      return;
    }
    try {
      await this.init.bus.publish(channel, encoded.payload);
      this.init.metrics.busPublished += 1;
    } catch (error) {
      this.init.metrics.busPublishFailures += 1;
      this.init.logger.warn({ err: error instanceof Error ? error.message : error }, 'bus publish failed; message not relayed');
    }
  }

  /** Leaves every channel. */
  async stop(): Promise<void> {
    const channels = [...this.#subscribed];
    this.#subscribed.clear();
    await Promise.allSettled(channels.map((channel) => this.init.bus.unsubscribe(channel)));
  }

  /** One payload from `channel`: checked by the codec, then for its channel and for duplicates, then delivered. */
  #onPayload(channel: string, payload: string): void {
    const now = this.init.now();
    const result = this.init.codec.decode(payload, channel, now);
    if (!result.ok) return this.#drop(result.code);
    const { envelope } = result;
    if (envelope.origin === this.init.instanceId) return;
    if (this.init.channels.forTarget(envelope.target) !== channel) return this.#drop('WRONG_CHANNEL');
    if (!this.init.seen.remember(envelope.id!, now)) return this.#drop('DUPLICATE');
    this.init.metrics.busReceived += 1;
    this.init.deliver(envelope);
  }

  #drop(rejection: string): void {
    this.init.metrics.busDropped += 1;
    this.init.throttledLog.note('bus envelope dropped', rejection);
  }

  #subscribe(channel: string): void {
    if (this.#subscribed.has(channel)) return;
    this.#subscribed.add(channel);
    this.init.bus.subscribe(channel, (payload) => this.#onPayload(channel, payload)).catch((error: unknown) => {
      this.init.logger.warn({ channel, err: error instanceof Error ? error.message : error }, 'bus subscribe failed');
    });
  }

  #unsubscribe(channel: string): void {
    if (!this.#subscribed.delete(channel)) return;
    this.init.bus.unsubscribe(channel).catch((error: unknown) => {
      this.init.logger.warn({ channel, err: error instanceof Error ? error.message : error }, 'bus unsubscribe failed');
    });
  }
}
