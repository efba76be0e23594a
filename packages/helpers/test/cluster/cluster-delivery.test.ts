import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { BUS_SECRET, startNode, waitForSubscribers, type ClusterNode } from '../support/cluster.ts';
import { TestClient, useRedisServer } from '@sealed/test-support';
import { createClient } from 'redis';
import { BusDefaults, BusErrorCode, InvalidOptionsError, RedisBus, UsageErrorCode, WebSocketEmitter } from '../../src/index.ts';
import { EnvelopeCodec } from '../../src/bus/bus-envelope.ts';
import { silentLogger, startTestServer } from '../support/test-server.ts';

const run = promisify(execFile);
const WORKER = fileURLToPath(new URL('../fixtures/emit-from-worker.ts', import.meta.url));

const redisServer = useRedisServer();
const nodes: ClusterNode[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(nodes.splice(0).map((node) => node.close()));
});

async function cluster(size: number): Promise<ClusterNode[]> {
  for (let i = 0; i < size; i += 1) nodes.push(await startNode(redisServer.current));
  return nodes;
}

async function connect(node: ClusterNode, user: string, rooms: string[] = []): Promise<{ client: TestClient; id: string }> {
  const { client, connected } = await TestClient.authenticated(node.url, { token: user });
  clients.push(client);
  if (rooms.length > 0) {
    client.send('join', { rooms });
    await client.next('joined');
  }
  return { client, id: connected.id as string };
}

/**
 * Sends a marker everyone gets after the message under test, from the same
 * instance, so anything sent before it (and relayed in order) has arrived.
 */
async function settle(from: ClusterNode, receivers: TestClient[]): Promise<void> {
  await waitForSubscribers(redisServer.current, 'sealed:all', nodes.length);
  await from.helper.broadcast({ event: 'marker' });
  await Promise.all(receivers.map((client) => client.next('marker')));
}

describe('delivery across instances over Redis', () => {
  it('reaches every member of a room on every instance exactly once, honouring exclude', async () => {
    const [a, b, c] = await cluster(3);
    const alice = await connect(a!, 'alice', ['lobby']);
    const bob = await connect(b!, 'bob', ['lobby']);
    const carol = await connect(c!, 'carol', ['lobby']);
    const dave = await connect(b!, 'dave', ['kitchen']);
    await waitForSubscribers(redisServer.current, 'sealed:room:lobby', 3);

    const report = await a!.helper.sendToRoom({ room: 'lobby', event: 'news', data: 1, exclude: [carol.id] });
    expect(report).toEqual({ recipients: 1, delivered: 1, dropped: 0 });
    await settle(a!, [alice.client, bob.client, carol.client, dave.client]);

    expect(alice.client.all('news')).toEqual([{ event: 'news', data: 1 }]);
    expect(bob.client.all('news')).toEqual([{ event: 'news', data: 1 }]);
    expect(carol.client.all('news')).toEqual([]);
    expect(dave.client.all('news')).toEqual([]);
  });

  it('reaches every session of a user, whichever instance holds it', async () => {
    const [a, b, c] = await cluster(3);
    const phone = await connect(b!, 'alice');
    const laptop = await connect(c!, 'alice');
    const bob = await connect(c!, 'bob');
    await waitForSubscribers(redisServer.current, 'sealed:user:alice', 2);
    await a!.helper.sendToUser({ userId: 'alice', event: 'dm', data: 'hi' });
    await settle(a!, [phone.client, laptop.client, bob.client]);
    expect(phone.client.all('dm')).toHaveLength(1);
    expect(laptop.client.all('dm')).toHaveLength(1);
    expect(bob.client.all('dm')).toHaveLength(0);
  });

  it('reaches one client on another instance, and only it', async () => {
    const [a, b] = await cluster(2);
    const target = await connect(b!, 'alice');
    const other = await connect(b!, 'alice');
    await waitForSubscribers(redisServer.current, `sealed:instance:${b!.helper.instanceId}`, 1);
    expect(await a!.helper.sendToClient({ clientId: target.id, event: 'dm', data: 1 })).toEqual({ recipients: 0, delivered: 0, dropped: 0 });
    await settle(a!, [target.client, other.client]);
    expect(target.client.all('dm')).toHaveLength(1);
    expect(other.client.all('dm')).toHaveLength(0);
  });

  it('broadcasts to every instance exactly once, honouring exclude', async () => {
    const [a, b, c] = await cluster(3);
    const alice = await connect(a!, 'alice');
    const bob = await connect(b!, 'bob');
    const carol = await connect(c!, 'carol');
    await waitForSubscribers(redisServer.current, 'sealed:all', 3);
    await b!.helper.broadcast({ event: 'news', data: 'all', exclude: [alice.id] });
    await settle(b!, [alice.client, bob.client, carol.client]);
    expect(alice.client.all('news')).toHaveLength(0);
    expect(bob.client.all('news')).toHaveLength(1);
    expect(carol.client.all('news')).toHaveLength(1);
    expect(b!.helper.getMetrics().busPublished).toBe(2);
    expect(a!.helper.getMetrics().busReceived).toBe(2);
  });
});

describe('per-room subscriptions', () => {
  it('subscribes to a room only while the instance has a local member in it', async () => {
    const [a, b] = await cluster(2);
    const roomChannels = async (): Promise<string[]> =>
      ((await redisServer.current.command<string[]>(['PUBSUB', 'CHANNELS', 'sealed:room:*'])) ?? []).sort();

    const alice = await connect(a!, 'alice', ['lobby', 'kitchen']);
    await connect(b!, 'bob', ['lobby']);
    await waitForSubscribers(redisServer.current, 'sealed:room:lobby', 2);
    await waitForSubscribers(redisServer.current, 'sealed:room:kitchen', 1);
    expect(await roomChannels()).toEqual(['sealed:room:kitchen', 'sealed:room:lobby']);

    alice.client.send('leave', { rooms: ['kitchen', 'lobby'] });
    await alice.client.next('left');
    await waitForSubscribers(redisServer.current, 'sealed:room:kitchen', 0);
    await waitForSubscribers(redisServer.current, 'sealed:room:lobby', 1);
    expect(await roomChannels()).toEqual(['sealed:room:lobby']);
  });
});

describe('forged envelopes', () => {
  it('are dropped and counted, never delivered', async () => {
    const [a] = await cluster(1);
    const alice = await connect(a!, 'alice', ['lobby']);
    await waitForSubscribers(redisServer.current, 'sealed:room:lobby', 1);
    const body = JSON.stringify({ origin: 'mallory', target: { kind: 'room', room: 'lobby' }, event: 'news', data: 'forged' });
    const badMac = Buffer.alloc(32).toString('base64url');
    for (const payload of [`v1..${body}`, `v1.${badMac}.${body}`, 'not an envelope', `v1.${badMac}`]) {
      await redisServer.current.command(['PUBLISH', 'sealed:room:lobby', payload]);
    }
    await expect.poll(() => a!.helper.getMetrics().busDropped).toBe(4);
    await settle(a!, [alice.client]);
    expect(alice.client.all('news')).toEqual([]);
  });
});

describe('envelope size limits, in UTF-8 bytes', () => {
  const LIMIT_BYTES = 1024;
  /** 500 characters of two UTF-8 bytes each: 1,000 bytes, though only 500 UTF-16 code units. */
  const WIDE_TEXT = 'é'.repeat(500);

  it('does not publish an envelope the other instances would drop: counted, logged, delivered locally', async () => {
    const a = await startNode(redisServer.current, { maxBusEnvelopeBytes: LIMIT_BYTES });
    const b = await startNode(redisServer.current, { maxBusEnvelopeBytes: LIMIT_BYTES });
    nodes.push(a, b);
    const alice = await connect(a, 'alice', ['lobby']);
    const bob = await connect(b, 'bob', ['lobby']);
    await waitForSubscribers(redisServer.current, 'sealed:room:lobby', 2);
    const report = await a.helper.sendToRoom({ room: 'lobby', event: 'news', data: WIDE_TEXT });
    expect(report).toEqual({ recipients: 1, delivered: 1, dropped: 0 });
    expect((await alice.client.next('news')).data).toBe(WIDE_TEXT);
    expect(a.helper.getMetrics()).toMatchObject({ busPublishFailures: 1, busPublished: 0 });
    await settle(a, [alice.client, bob.client]);
    expect(bob.client.all('news')).toEqual([]);
    expect(b.helper.getMetrics().busDropped).toBe(0);
  });

  it('drops a received envelope over the limit in bytes though under it in UTF-16 code units', async () => {
    const a = await startNode(redisServer.current, { maxBusEnvelopeBytes: LIMIT_BYTES, busSecret: undefined, allowUnauthenticatedBus: true });
    nodes.push(a);
    const alice = await connect(a, 'alice', ['lobby']);
    await waitForSubscribers(redisServer.current, 'sealed:room:lobby', 1);
    const body = JSON.stringify({ origin: 'other', target: { kind: 'room', room: 'lobby' }, event: 'news', data: WIDE_TEXT });
    expect(body.length).toBeLessThan(LIMIT_BYTES);
    expect(Buffer.byteLength(body)).toBeGreaterThan(LIMIT_BYTES);
    await redisServer.current.command(['PUBLISH', 'sealed:room:lobby', `v2..${body}`]);
    await expect.poll(() => a.helper.getMetrics().busDropped).toBe(1);
    await settle(a, [alice.client]);
    expect(alice.client.all('news')).toEqual([]);
  });

  it('refuses in the emitter with ENVELOPE_TOO_LARGE, before anything is published', async () => {
    const bus = new RedisBus({ url: redisServer.current.url, logger: silentLogger });
    await bus.start();
    try {
      const emitter = new WebSocketEmitter({ bus, secret: BUS_SECRET, maxEnvelopeBytes: LIMIT_BYTES });
      await expect(emitter.toRoom({ room: 'lobby', event: 'news', data: WIDE_TEXT })).rejects.toMatchObject({
        code: BusErrorCode.ENVELOPE_TOO_LARGE,
      });
    } finally {
      await bus.close();
    }
  });

  it('refuses in the emitter an event name of the protocol, before anything is published', async () => {
    const bus = new RedisBus({ url: redisServer.current.url, logger: silentLogger });
    await bus.start();
    try {
      const emitter = new WebSocketEmitter({ bus, secret: BUS_SECRET });
      for (const event of ['connected', 'joined', 'error', 'sealed:handshake']) {
        await expect(emitter.toRoom({ room: 'lobby', event })).rejects.toMatchObject({ code: UsageErrorCode.RESERVED_EVENT_NAME });
      }
    } finally {
      await bus.close();
    }
  });
});

describe('bus envelopes someone replays, moves or forges', () => {
  /** Subscribes a plain Redis connection to `channel` and resolves with the first payload published there. */
  async function capture(channel: string): Promise<{ payload: Promise<string>; close: () => Promise<void> }> {
    const subscriber = createClient({ url: redisServer.current.url });
    subscriber.on('error', () => undefined);
    await subscriber.connect();
    const payload = new Promise<string>((resolve) => void subscriber.subscribe(channel, resolve));
    await waitForSubscribers(redisServer.current, channel, 1);
    return { payload, close: () => subscriber.close() };
  }

  const codec = (secret = BUS_SECRET) => new EnvelopeCodec({ secret, maxBytes: BusDefaults.MAX_ENVELOPE_BYTES, maxAgeMs: BusDefaults.MAX_ENVELOPE_AGE_MS });
  const news = { origin: 'mallory', target: { kind: 'room', room: 'lobby' } as const, event: 'news', data: 'forged' };

  it('drops a captured envelope published again, on its channel or another, and delivers the original once', async () => {
    const tap = await capture('sealed:room:lobby');
    const [a, b] = await cluster(2);
    const bob = await connect(b!, 'bob', ['lobby']);
    await waitForSubscribers(redisServer.current, 'sealed:room:lobby', 2);
    await a!.helper.sendToRoom({ room: 'lobby', event: 'news', data: 'once' });
    const captured = await tap.payload;
    await tap.close();
    expect((await bob.client.next('news')).data).toBe('once');
    await redisServer.current.command(['PUBLISH', 'sealed:room:lobby', captured]);
    await redisServer.current.command(['PUBLISH', 'sealed:all', captured]);
    await expect.poll(() => b!.helper.getMetrics().busDropped).toBe(2);
    await settle(a!, [bob.client]);
    expect(bob.client.all('news')).toHaveLength(1);
  });

  it('drops an authentic envelope that is stale, or that carries a protocol event', async () => {
    const [a] = await cluster(1);
    const alice = await connect(a!, 'alice', ['lobby']);
    await waitForSubscribers(redisServer.current, 'sealed:room:lobby', 1);
    const staleMs = Date.now() - 2 * BusDefaults.MAX_ENVELOPE_AGE_MS;
    const stale = codec().encode(news, 'sealed:room:lobby', staleMs);
    const reserved = codec().encode({ ...news, event: 'joined', data: { rooms: ['evil'], denied: [], current: ['evil'] } }, 'sealed:room:lobby', Date.now());
    for (const encoded of [stale, reserved]) {
      if (!encoded.ok) throw new Error('encode failed');
      await redisServer.current.command(['PUBLISH', 'sealed:room:lobby', encoded.payload]);
    }
    await expect.poll(() => a!.helper.getMetrics().busDropped).toBe(2);
    await settle(a!, [alice.client]);
    expect(alice.client.all('news')).toEqual([]);
    expect(alice.client.all('joined')).toHaveLength(1);
  });

  it('refuses to start on Redis without busSecret unless the application allows it explicitly', async () => {
    const bus = new RedisBus({ url: redisServer.current.url, logger: silentLogger });
    await bus.start();
    try {
      await expect(startTestServer({ bus })).rejects.toThrow(/busSecret/);
      const open = await startTestServer({ bus, allowUnauthenticatedBus: true });
      await open.close();
      expect(() => new WebSocketEmitter({ bus })).toThrow(InvalidOptionsError);
      expect(() => new WebSocketEmitter({ bus, allowUnauthenticatedBus: true })).not.toThrow();
    } finally {
      await bus.close();
    }
  });
});

describe('WebSocketEmitter', () => {
  it('reaches clients on every instance from a separate process without sockets', async () => {
    const [a, b] = await cluster(2);
    const alice = await connect(a!, 'alice', ['lobby']);
    const bob = await connect(b!, 'bob', ['lobby']);
    await waitForSubscribers(redisServer.current, 'sealed:room:lobby', 2);
    await waitForSubscribers(redisServer.current, 'sealed:user:bob', 1);

    const sends = [
      { to: 'room', room: 'lobby', event: 'news', data: 'from a worker', exclude: [bob.id] },
      { to: 'user', userId: 'bob', event: 'dm', data: 'for bob' },
      { to: 'client', clientId: alice.id, event: 'dm', data: 'for alice' },
      { to: 'all', event: 'all', data: 'everyone' },
    ];
    const { stdout } = await run(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(sends)], {
      env: { ...process.env, REDIS_URL: redisServer.current.url, BUS_SECRET },
      timeout: 20_000,
    });
    expect(stdout.trim()).toBe('sent 4');
    expect((await alice.client.next('news')).data).toBe('from a worker');
    expect((await alice.client.next('dm')).data).toBe('for alice');
    expect((await bob.client.next('dm')).data).toBe('for bob');
    await Promise.all([alice.client.next('all'), bob.client.next('all')]);
    await settle(a!, [alice.client, bob.client]);
    expect(bob.client.all('news')).toEqual([]);
    expect(alice.client.all('dm')).toHaveLength(1);
  });
});
