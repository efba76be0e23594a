import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClient, useRedisServer } from '@sealed/test-support';
import { RedisBus, RedisHistoryStore, RedisReplayStore, SecurityLevel, type WebSocketServerOptions } from '../../src/index.ts';
import { ClientLifecycleEvent, type ConnectionInfo, type SealedClient } from '../../src/client/index.ts';
import { BUS_SECRET, startNode, waitForSubscribers, type ClusterNode } from '../support/cluster.ts';
import { nodeCrypto, recordChat, sdkClient, startSecureServer, type SecureTestServer } from '../support/secure-test-server.ts';
import { silentLogger } from '../support/test-server.ts';

const redisServer = useRedisServer();
/** Closed in reverse order of start: clients, then servers, then the buses and stores they used. */
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await redisServer.current.command(['FLUSHALL']);
});

const keepsHistory = ({ room }: { room: string }) => room === 'lobby';

async function historyStore(): Promise<RedisHistoryStore> {
  const store = new RedisHistoryStore({ url: redisServer.current.url });
  await store.start();
  closers.push(() => store.close());
  return store;
}

/** An instance with its own bus and its own connection to the shared history, as another process would have. */
async function historyNode(): Promise<ClusterNode> {
  const historyStoreOfNode = await historyStore();
  const node = await startNode(redisServer.current, { roomHistoryFn: keepsHistory, historyStore: historyStoreOfNode });
  closers.push(() => node.close());
  return node;
}

async function member(node: ClusterNode, user: string): Promise<TestClient> {
  const client = await TestClient.as(node.url, user, ['lobby']);
  closers.push(() => client.close());
  return client;
}

const MESSAGES = 60;

describe('room history across instances on Redis', () => {
  it('numbers a room once for every instance: members everywhere get contiguous offsets, in order, each once, while two instances send at once', async () => {
    const [a, b] = [await historyNode(), await historyNode()];
    const members = [await member(a, 'alice'), await member(a, 'bob'), await member(b, 'carol'), await member(b, 'dave')];
    await waitForSubscribers(redisServer.current, 'sealed:room:lobby', 2);

    for (let n = 1; n <= MESSAGES; n += 2) {
      await Promise.all([
        a.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { n } }),
        b.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { n: n + 1 } }),
      ]);
    }
    for (const client of members) await expect.poll(() => client.all('chat').length, { timeout: 5_000 }).toBe(MESSAGES);
    const [first, ...others] = members.map((client) => client.all('chat'));
    const offsets = first!.map((message) => message.position?.offset);
    const start = offsets[0]!;
    expect(offsets).toEqual(Array.from({ length: MESSAGES }, (_, i) => start + i));
    expect(new Set(first!.map((message) => (message.data as { n: number }).n)).size).toBe(MESSAGES);
    // Every member saw the same messages at the same offsets.
    for (const messages of others) expect(messages.map(({ data, position }) => ({ data, position }))).toEqual(first!.map(({ data, position }) => ({ data, position })));
    for (const node of [a, b]) expect(node.helper.getMetrics()).toMatchObject({ historyLateMessages: 0, historySkippedMessages: 0, historyFailures: 0 });
  });
});

/** Secure instances that share one identity, one Redis bus, one Redis history and one Redis replay store, as a deployment behind a load balancer does. */
async function secureNodes(count: number): Promise<SecureTestServer[]> {
  const identity = nodeCrypto.ed25519KeyPair();
  const nodes: SecureTestServer[] = [];
  for (let i = 0; i < count; i += 1) {
    const bus = new RedisBus({ url: redisServer.current.url, logger: silentLogger });
    await bus.start();
    closers.push(() => bus.close());
    const replayStore = new RedisReplayStore({ url: redisServer.current.url, logger: silentLogger });
    await replayStore.start();
    closers.push(() => replayStore.close());
    const server: Partial<WebSocketServerOptions> = { bus, busSecret: BUS_SECRET, roomHistoryFn: keepsHistory, historyStore: await historyStore() };
    const node = await startSecureServer({ identity, server, kit: { replayStore } });
    closers.push(() => node.close());
    nodes.push(node);
  }
  return nodes;
}

/** A WebSocket class that sends the first connection to one instance and every later one to another, as a load balancer may. */
function balancedWebSocket(first: string, later: string) {
  const sockets: WebSocket[] = [];
  class BalancedWebSocket extends WebSocket {
    constructor(_url: string) {
      super(sockets.length === 0 ? first : later);
      sockets.push(this);
    }
  }
  return { WebSocket: BalancedWebSocket, sockets };
}

describe('recovery on another instance', () => {
  it('a client cut off from one instance resumes its session on another and gets every message exactly once and in order, recovered: true', async () => {
    const [a, b] = await secureNodes(2);
    const balancer = balancedWebSocket(a!.url, b!.url);
    const alice: SealedClient = sdkClient(a!.url, 'alice', {
      level: SecurityLevel.ENCRYPTED,
      WebSocket: balancer.WebSocket,
      reconnect: { enabled: true, initialDelayMs: 30, maxDelayMs: 30, jitter: 0 },
    });
    closers.push(() => alice.close());
    const { received, rejoins } = recordChat(alice);
    const opens: ConnectionInfo[] = [];
    alice.on(ClientLifecycleEvent.OPEN, (info: ConnectionInfo) => void opens.push(info));
    await alice.connect();
    await alice.join(['lobby']);

    for (let n = 1; n <= MESSAGES; n += 1) {
      // Sent by the instance alice leaves: after the cut, she hears them through the other one.
      await a!.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { n } });
      if (n === MESSAGES / 3) balancer.sockets[0]!.terminate();
      await new Promise((resolve) => setTimeout(resolve, 4));
    }
    await expect.poll(() => received.length, { timeout: 5_000 }).toBe(MESSAGES);
    expect(received).toEqual(Array.from({ length: MESSAGES }, (_, i) => i + 1));
    expect(balancer.sockets).toHaveLength(2);
    expect(rejoins).toEqual([{ rooms: ['lobby'], denied: [], recovered: true, recoveredRooms: { lobby: true } }]);
    expect(b!.helper.getClients().map((client) => client.userId)).toEqual(['alice']);
    // The other instance opened the ticket the first one issued: the session resumed without the signatures.
    expect(opens.map((info) => info.resumed)).toEqual([false, true]);
    expect(b!.kit.getMetrics()).toMatchObject({ resumptions: 1, ticketRefusals: {} });
  });
});
