import { createClient, type RedisClientType } from 'redis';
import type { Logger } from '../logging/logger.ts';
import { RedisBusDefaults } from './redis-bus.ts';
import { exponentialReconnect } from './redis-reconnect.ts';

/**
 * The Redis connection of a store (history, presence, replay): it
 * reconnects as the bus does, and fails commands at once while Redis is
 * unreachable instead of queueing them, so a store can answer "unavailable"
 * rather than hang. Errors are logged at `warn` as `redis <name> error`.
 */
export function createRedisStoreClient(options: { url: string; logger: Logger | undefined; name: string }): RedisClientType {
  const client: RedisClientType = createClient({
    url: options.url,
    socket: { reconnectStrategy: exponentialReconnect(RedisBusDefaults.INITIAL_RECONNECT_DELAY_MS, RedisBusDefaults.MAX_RECONNECT_DELAY_MS) },
    disableOfflineQueue: true,
  });
  client.on('error', (error: Error) => options.logger?.warn({ err: error.message }, `redis ${options.name} error`));
  return client;
}
