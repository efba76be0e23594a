import { createClient, type RedisClientType } from 'redis';
import type { Logger } from '../logging/logger.ts';
import type { BusHandler, MessageBus } from './message-bus.ts';
import { exponentialReconnect } from './redis-reconnect.ts';

/** Options of a {@link RedisBus}. */
export interface RedisBusOptions {
  /** `redis://host:port` (or `rediss://` for TLS). */
  url: string;
  /** First reconnect delay; doubles per attempt up to `maxReconnectDelayMs`. */
  initialReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  logger?: Logger;
}

/** Defaults of {@link RedisBusOptions}. */
export const RedisBusDefaults = Object.freeze({
  INITIAL_RECONNECT_DELAY_MS: 50,
  MAX_RECONNECT_DELAY_MS: 2_000,
});

/** Counters of a {@link RedisBus}. */
export interface RedisBusStats {
  reconnects: number;
  errors: number;
}

/**
 * Redis pub/sub through node-redis (the client Redis recommends): one
 * connection publishes, a second subscribes. Both reconnect with backoff;
 * node-redis subscribes again to every channel after a reconnect. Publishing
 * while Redis is unreachable fails at once (no offline queue), so the caller
 * can count what was lost: Redis pub/sub is at most once.
 */
export class RedisBus implements MessageBus {
  readonly #publisher: RedisClientType;
  readonly #subscriber: RedisClientType;
  readonly #handlers = new Map<string, BusHandler>();
  readonly #logger: Logger | undefined;
  readonly #stats: RedisBusStats = { reconnects: 0, errors: 0 };
  #closing: Promise<void> | undefined;

  constructor(options: RedisBusOptions) {
    const initial = options.initialReconnectDelayMs ?? RedisBusDefaults.INITIAL_RECONNECT_DELAY_MS;
    const max = options.maxReconnectDelayMs ?? RedisBusDefaults.MAX_RECONNECT_DELAY_MS;
    const socket = { reconnectStrategy: exponentialReconnect(initial, max) };
    this.#logger = options.logger;
    this.#publisher = createClient({ url: options.url, socket, disableOfflineQueue: true });
    this.#subscriber = createClient({ url: options.url, socket });
    for (const [role, client] of [
      ['publisher', this.#publisher],
      ['subscriber', this.#subscriber],
    ] as const) {
      client.on('error', (error: Error) => {
        this.#stats.errors += 1;
        this.#logger?.warn({ role, err: error.message }, 'redis bus error');
      });
      client.on('reconnecting', () => {
        this.#stats.reconnects += 1;
      });
    }
  }

  get stats(): RedisBusStats {
    return { ...this.#stats };
  }

  /** True while the publishing connection is up. */
  get connected(): boolean {
    return this.#publisher.isReady;
  }

  async start(): Promise<void> {
    await Promise.all([this.#publisher.connect(), this.#subscriber.connect()]);
  }

  async publish(channel: string, payload: string): Promise<void> {
    await this.#publisher.publish(channel, payload);
  }

  async subscribe(channel: string, handler: BusHandler): Promise<void> {
    const known = this.#handlers.has(channel);
    this.#handlers.set(channel, handler);
    if (!known) await this.#subscriber.subscribe(channel, (message) => this.#handlers.get(channel)?.(message));
  }

  async unsubscribe(channel: string): Promise<void> {
    if (!this.#handlers.delete(channel)) return;
    await this.#subscriber.unsubscribe(channel);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#handlers.clear();
      await Promise.allSettled([this.#publisher.close(), this.#subscriber.close()]);
    })();
    return this.#closing;
  }
}
