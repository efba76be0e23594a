import type { RedisClientType } from 'redis';
import { createRedisStoreClient } from './redis-store-client.ts';
import type { ReplayClaim, ReplayStore } from '../crypto/replay-store.ts';
import type { Logger } from '../logging/logger.ts';

/** Options of a {@link RedisReplayStore}. */
export interface RedisReplayStoreOptions {
  /** `redis://host:port` (or `rediss://` for TLS): the Redis every instance behind the load balancer uses. */
  url: string;
  /** How long a nonce is remembered: twice the kit's `maxClockSkewMs`. */
  windowMs?: number;
  /** Prefix of the keys, one per nonce. */
  keyPrefix?: string;
  logger?: Logger;
}

/** Defaults of {@link RedisReplayStoreOptions}. */
export const RedisReplayStoreDefaults = Object.freeze({
  /** Twice the secure kit's default clock skew (120 s). */
  WINDOW_MS: 240_000,
  KEY_PREFIX: 'sealed:replay:',
});

/**
 * A {@link ReplayStore} every instance shares: one key per nonce, set with
 * `SET key 1 NX PX window`, so the first instance to claim a nonce wins and
 * Redis forgets it once the window has passed. No volume of handshakes
 * pushes a nonce out early (Redis keys expire only by time, unless Redis
 * runs out of memory under an evicting `maxmemory-policy`: give it
 * `noeviction`). While Redis is unreachable every claim answers
 * `UNAVAILABLE` and handshakes are refused. `start()` before use, `close()`
 * when done.
 */
export class RedisReplayStore implements ReplayStore {
  readonly #client: RedisClientType;
  readonly #windowMs: number;
  readonly #keyPrefix: string;

  constructor(options: RedisReplayStoreOptions) {
    this.#windowMs = options.windowMs ?? RedisReplayStoreDefaults.WINDOW_MS;
    this.#keyPrefix = options.keyPrefix ?? RedisReplayStoreDefaults.KEY_PREFIX;
    this.#client = createRedisStoreClient({ url: options.url, logger: options.logger, name: 'replay store' });
  }

  async start(): Promise<void> {
    await this.#client.connect();
  }

  async claim(nonce: string): Promise<ReplayClaim> {
    try {
      const reply = await this.#client.set(`${this.#keyPrefix}${nonce}`, '1', { condition: 'NX', expiration: { type: 'PX', value: this.#windowMs } });
      return reply === 'OK' ? 'FRESH' : 'REPLAYED';
    } catch {
      return 'UNAVAILABLE';
    }
  }

  /** Closes the connection; idempotent. */
  async close(): Promise<void> {
    if (this.#client.isOpen) await this.#client.close();
  }
}
