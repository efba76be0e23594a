import { afterEach, describe, expect, it } from 'vitest';
import { useRedisServer } from '@sealed/test-support';
import { RedisHistoryStore } from '../../src/index.ts';
import { type SealedClient } from '../../src/client/index.ts';
import { recordChat, sdkClient, startSecureServer, type SecureTestServer } from '../support/secure-test-server.ts';

const redisServer = useRedisServer();
const stores: RedisHistoryStore[] = [];
const clients: SealedClient[] = [];
let server: SecureTestServer | undefined;

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await redisServer.current.command(['FLUSHALL']);
});

async function startStore(): Promise<RedisHistoryStore> {
  const store = new RedisHistoryStore({ url: redisServer.current.url });
  stores.push(store);
  await store.start();
  return store;
}

const limits = { maxMessages: 3, maxAgeMs: 60_000 };
const message = (n: number) => ({ event: 'chat', data: { n } });

describe('RedisHistoryStore', () => {
  it('numbers one room\'s messages once across two stores on one Redis, and either reads them back', async () => {
    const [first, second] = [await startStore(), await startStore()];
    const positions = [await first.append('lobby', message(1), limits), await second.append('lobby', message(2), limits), await first.append('lobby', message(3), limits)];
    expect(positions.map((position) => position.offset)).toEqual([1, 2, 3]);
    const { epoch } = positions[0]!;
    expect(new Set(positions.map((position) => position.epoch))).toEqual(new Set([epoch]));
    expect(await second.since('lobby', { offset: 1, epoch }, limits)).toEqual({
      complete: true,
      top: { offset: 3, epoch },
      entries: [
        { offset: 2, event: 'chat', data: { n: 2 } },
        { offset: 3, event: 'chat', data: { n: 3 } },
      ],
    });
    await second.append('lobby', message(4), limits);
    // Trimmed to three: offset 1 is gone, so a client at 0 cannot recover, one at 1 can.
    expect(await first.since('lobby', { offset: 0, epoch }, limits)).toMatchObject({ complete: false, entries: [] });
    expect((await first.since('lobby', { offset: 1, epoch }, limits)).entries.map((entry) => entry.offset)).toEqual([2, 3, 4]);
    expect(await first.since('lobby', { offset: 1, epoch: 'another' }, limits)).toMatchObject({ complete: false });
    expect(await first.top('empty-room', limits)).toEqual({ offset: 0, epoch: expect.any(String) });
  });

  it('forgets messages older than maxAgeMs, and a silent room\'s stream with its epoch', async () => {
    const store = await startStore();
    const short = { maxMessages: 100, maxAgeMs: 200 };
    const { epoch } = await store.append('lobby', message(1), short);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await redisServer.current.command(['EXISTS', 'sealed:history:{lobby}:stream'])).toBe(0);
    expect((await store.top('lobby', short)).epoch).not.toBe(epoch);
  });
});

describe('recovery with Redis history', () => {
  it('survives a server restart: the client recovers what was sent while it was away, recovered: true', async () => {
    server = await startSecureServer({ server: { roomHistoryFn: () => true, historyStore: await startStore() } });
    const { port, identity } = server;
    const alice = sdkClient(server.url, 'alice', { reconnect: { enabled: true, initialDelayMs: 300, maxDelayMs: 300, jitter: 0 } });
    clients.push(alice);
    const { received, rejoins } = recordChat(alice);
    await alice.connect();
    await alice.join(['lobby']);
    await server.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { n: 1 } });
    await expect.poll(() => received).toEqual([1]);

    await server.close();
    server = await startSecureServer({ identity, port, server: { roomHistoryFn: () => true, historyStore: await startStore() } });
    // Sent before alice is back: only the history has them.
    for (const n of [2, 3]) await server.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { n } });
    await expect.poll(() => rejoins.length, { timeout: 5_000 }).toBe(1);
    expect(rejoins[0]).toMatchObject({ recovered: true, recoveredRooms: { lobby: true } });
    expect(received).toEqual([1, 2, 3]);
  });

  it('sends live without a position when Redis cannot be reached, and counts it', async () => {
    const store = await startStore();
    server = await startSecureServer({ server: { roomHistoryFn: () => true, historyStore: store } });
    const alice = sdkClient(server.url, 'alice');
    clients.push(alice);
    const received: number[] = [];
    alice.on('chat', ({ n }: { n: number }) => void received.push(n));
    await alice.connect();
    await alice.join(['lobby']);
    await store.close();
    const report = await server.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { n: 1 } });
    expect(report.delivered).toBe(1);
    await expect.poll(() => received).toEqual([1]);
    expect(server.helper.getMetrics().historyFailures).toBe(1);
  });
});
