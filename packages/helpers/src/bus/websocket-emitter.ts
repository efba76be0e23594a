import { randomUUID } from 'node:crypto';
import { BusChannels } from './bus-channels.ts';
import { BusDefaults } from './bus-defaults.ts';
import { EnvelopeCodec, type BusTarget } from './bus-envelope.ts';
import { BusErrorCode } from './bus-error-codes.ts';
import type { MessageBus } from './message-bus.ts';
import { SealedError } from '../protocol/sealed-error.ts';

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
    this.#codec = new EnvelopeCodec(options.secret, options.maxEnvelopeBytes ?? BusDefaults.MAX_ENVELOPE_BYTES);
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
   * @throws SealedError `UNKNOWN_INSTANCE` when the client id names no instance, `ENVELOPE_TOO_LARGE`
   * when the envelope passes `maxEnvelopeBytes` (UTF-8 bytes); what the bus throws when it refuses the payload.
   */
  async #publish(target: BusTarget, event: string, data: unknown, exclude?: readonly string[]): Promise<void> {
    const channel = this.#channels.forTarget(target);
    if (channel === undefined) throw new SealedError(BusErrorCode.UNKNOWN_INSTANCE, 'The client id does not name the instance that issued it');
    const encoded = this.#codec.encode({ origin: this.#origin, target, event, data, ...(exclude?.length ? { exclude: [...exclude] } : {}) });
    if (!encoded.ok) throw new SealedError(BusErrorCode.ENVELOPE_TOO_LARGE, 'Envelope larger than the bus accepts');
    await this.#bus.publish(channel, encoded.payload);
  }
}
