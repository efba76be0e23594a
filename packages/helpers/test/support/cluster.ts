import { expect } from 'vitest';
import { RedisBus, createSecureServerKit, type WebSocketServerOptions } from '../../src/index.ts';
import { nodeCrypto } from './secure-test-server.ts';
import type { RedisProcess } from '@sealed/test-support';
import { silentLogger, startTestServer, type TestServer } from './test-server.ts';

export const BUS_SECRET = 'a-shared-secret-for-tests';

/** One server instance with its own Redis bus, as separate processes would have. */
export interface ClusterNode extends TestServer {
  bus: RedisBus;
}

export async function startNode(redis: RedisProcess, options: Partial<WebSocketServerOptions> = {}): Promise<ClusterNode> {
  const bus = new RedisBus({ url: redis.url, logger: silentLogger });
  await bus.start();
  const server = await startTestServer({ bus, busSecret: BUS_SECRET, ...options });
  return {
    ...server,
    bus,
    async close() {
      await server.close();
      await bus.close();
    },
  };
}

/** An instance with the default secure kit bound, encryption required. */
export function startSecureNode(redis: RedisProcess, options: Partial<WebSocketServerOptions> = {}): Promise<ClusterNode> {
  const kit = createSecureServerKit({ identity: nodeCrypto.ed25519KeyPair() });
  return startNode(redis, {
    handshakeFn: kit.handshakeFn,
    outboundTransformer: kit.outboundTransformer,
    inboundTransformer: kit.inboundTransformer,
    requireEncryption: true,
    ...options,
  });
}

/** Waits until `count` connections subscribe to `channel` on Redis. */
export async function waitForSubscribers(redis: RedisProcess, channel: string, count: number): Promise<void> {
  await expect
    .poll(async () => {
      const reply = await redis.command<Array<string | number>>(['PUBSUB', 'NUMSUB', channel]);
      return Number(reply[1]);
    }, { timeout: 10_000 })
    .toBe(count);
}
