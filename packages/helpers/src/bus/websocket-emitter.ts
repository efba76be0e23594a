import { randomUUID } from 'node:crypto';
import { BusChannels } from './bus-channels.ts';
import { BusDefaults } from './bus-defaults.ts';
import { EnvelopeCodec, type BusTarget } from './bus-envelope.ts';
import { BusErrorCode } from './bus-error-codes.ts';
import { sharedAcrossProcesses, type MessageBus } from './message-bus.ts';
import { InvalidOptionsError } from '../server/server-settings.ts';
import { SealedError } from '../protocol/sealed-error.ts';
import { refuseReservedEventName } from '../protocol/event-names.ts';

/** Options of a {@link WebSocketEmitter}. */
export interface WebSocketEmitterOptions {
  /** A started bus (the same kind, and the same Redis, as the servers'). */
  bus: MessageBus;
  /** The servers' `busSecret`, if they have one. */
  secret?: string;
  /** The servers' `busChannelPrefix`. */
  channelPrefix?: string;
  /** Largest envelope published, in bytes. */
  maxEnvelopeBytes?: number;
  /** Run without `secret` on a bus other processes can write to (Redis): the servers must then accept unauthenticated envelopes too. */
  allowUnauthenticatedBus?: boolean;
}

/**
 * Sends to clients from a process without sockets (a worker, a job): the
 * message goes over the bus and every server instance delivers it to its own
 * clients, encrypted at the edge for encrypted clients.
 *
 * @example
 * const bus = new RedisBus({ url: process.env.REDIS_URL! });
 * await bus.start();
 * const emitter = new WebSocketEmitter({ bus, secret: process.env.BUS_SECRET });
 * await emitter.toRoom({ room: 'lobby', event: 'news', data: { text: 'deploy done' } });
 */
export class WebSocketEmitter {
  readonly #bus: MessageBus;
  readonly #channels: BusChannels;
  readonly #codec: EnvelopeCodec;
  readonly #origin = `emitter:${randomUUID()}`;

  constructor(options: WebSocketEmitterOptions) {
    this.#bus = options.bus;
    this.#channels = new BusChannels(options.channelPrefix ?? BusDefaults.CHANNEL_PREFIX);
    if (options.secret === undefined && sharedAcrossProcesses(options.bus) && !options.allowUnauthenticatedBus) {
      throw new InvalidOptionsError('Option "secret" (the servers\' busSecret) is required on a bus other processes can write to (set "allowUnauthenticatedBus" to run without one)');
    }
    this.#codec = new EnvelopeCodec({
      secret: options.secret,
      maxBytes: options.maxEnvelopeBytes ?? BusDefaults.MAX_ENVELOPE_BYTES,
      maxAgeMs: BusDefaults.MAX_ENVELOPE_AGE_MS,
    });
  }

  toClient(params: { clientId: string; event: string; data?: unknown }): Promise<void> {
    return this.#publish({ kind: 'client', clientId: params.clientId }, params.event, params.data);
  }

  toUser(params: { userId: string; event: string; data?: unknown }): Promise<void> {
    return this.#publish({ kind: 'user', userId: params.userId }, params.event, params.data);
  }

  toRoom(params: { room: string; event: string; data?: unknown; exclude?: readonly string[] }): Promise<void> {
    return this.#publish({ kind: 'room', room: params.room }, params.event, params.data, params.exclude);
  }

  broadcast(params: { event: string; data?: unknown; exclude?: readonly string[] }): Promise<void> {
    return this.#publish({ kind: 'all' }, params.event, params.data, params.exclude);
  }

  /**
   * @throws SealedError `RESERVED_EVENT_NAME` for an event name of the protocol, `UNKNOWN_INSTANCE` when the client id names no instance, `ENVELOPE_TOO_LARGE`
   * when the envelope passes `maxEnvelopeBytes` (UTF-8 bytes); what the bus throws when it refuses the payload.
   */
  async #publish(target: BusTarget, event: string, data: unknown, exclude?: readonly string[]): Promise<void> {
    refuseReservedEventName(event);
    const channel = this.#channels.forTarget(target);
    if (channel === undefined) throw new SealedError(BusErrorCode.UNKNOWN_INSTANCE, 'The client id does not name the instance that issued it');
    const envelope = { origin: this.#origin, target, event, data, ...(exclude?.length ? { exclude: [...exclude] } : {}) };
    const encoded = this.#codec.encode(envelope, channel, Date.now());
    if (!encoded.ok) throw new SealedError(BusErrorCode.ENVELOPE_TOO_LARGE, 'Envelope larger than the bus accepts');
    await this.#bus.publish(channel, encoded.payload);
  }
}
