import { afterEach, describe, expect, it, vi } from 'vitest';
import { TestClient, closeAfterEach } from '@sealed/test-support';
import { CloseCode, UsageErrorCode, WebSocketDefaults } from '../../src/index.ts';
import { awaitMarker, startTestServer, type TestServer } from '../support/test-server.ts';

const track = closeAfterEach();
let server: TestServer;

async function connectAs(user: string, rooms: string[] = []): Promise<{ client: TestClient; id: string }> {
  const client = track(await TestClient.as(server.url, user, rooms));
  return { client, id: client.id! };
}

/** Waits until everything sent to `targets` so far has arrived. */
function flush(...targets: TestClient[]): Promise<void> {
  return awaitMarker(server, ...targets);
}

describe('sendToRoom', () => {
  it('reaches every member once and nobody else', async () => {
    server = track(await startTestServer());
    const alice = await connectAs('alice', ['lobby']);
    const bob = await connectAs('bob', ['lobby']);
    const carol = await connectAs('carol', ['kitchen']);
    const report = await server.helper.sendToRoom({ room: 'lobby', event: 'news', data: { n: 1 } });
    expect(report).toEqual({ recipients: 2, delivered: 2, dropped: 0 });
    await flush(alice.client, bob.client, carol.client);
    expect(alice.client.all('news')).toEqual([{ event: 'news', data: { n: 1 } }]);
    expect(bob.client.all('news')).toHaveLength(1);
    expect(carol.client.all('news')).toHaveLength(0);
  });

  it('skips the excluded clients', async () => {
    server = track(await startTestServer());
    const alice = await connectAs('alice', ['lobby']);
    const bob = await connectAs('bob', ['lobby']);
    const report = await server.helper.sendToRoom({ room: 'lobby', event: 'news', exclude: [alice.id] });
    expect(report).toEqual({ recipients: 1, delivered: 1, dropped: 0 });
    await flush(alice.client, bob.client);
    expect(alice.client.all('news')).toHaveLength(0);
    expect(bob.client.all('news')).toHaveLength(1);
  });
});

describe('sends of an event name of the protocol', () => {
  it('are refused with RESERVED_EVENT_NAME and reach nobody, so a client never takes one for the server\'s own', async () => {
    server = track(await startTestServer());
    const { client: alice } = await connectAs('alice', ['lobby']);
    for (const event of ['connected', 'joined', 'left', 'error', 'sealed:handshake']) {
      await expect(server.helper.sendToRoom({ room: 'lobby', event, data: { rooms: ['evil'] } })).rejects.toMatchObject({
        code: UsageErrorCode.RESERVED_EVENT_NAME,
      });
      await expect(server.helper.broadcast({ event })).rejects.toMatchObject({ code: UsageErrorCode.RESERVED_EVENT_NAME });
    }
    await server.helper.sendToRoom({ room: 'lobby', event: 'news', data: 'after' });
    expect((await alice.next('news')).data).toBe('after');
    expect(alice.all('joined')).toHaveLength(1);
  });
});

describe('broadcast', () => {
  it('reaches every open client except the excluded, and no client still authenticating', async () => {
    server = track(await startTestServer());
    const alice = await connectAs('alice');
    const bob = await connectAs('bob');
    const stranger = await TestClient.connect(server.url);
    track(stranger);
    const report = await server.helper.broadcast({ event: 'news', data: 'hi', exclude: [bob.id] });
    expect(report).toEqual({ recipients: 1, delivered: 1, dropped: 0 });
    await flush(alice.client, bob.client);
    expect(alice.client.all('news')).toEqual([{ event: 'news', data: 'hi' }]);
    expect(bob.client.all('news')).toHaveLength(0);
    expect(stranger.all('news')).toHaveLength(0);
    expect(stranger.all('flush')).toHaveLength(0);
  });
});

describe('sendToUser', () => {
  it('reaches every session of the user', async () => {
    server = track(await startTestServer());
    const phone = await connectAs('alice');
    const laptop = await connectAs('alice');
    const bob = await connectAs('bob');
    const report = await server.helper.sendToUser({ userId: 'alice', event: 'dm', data: { text: 'hey' } });
    expect(report).toEqual({ recipients: 2, delivered: 2, dropped: 0 });
    await flush(phone.client, laptop.client, bob.client);
    expect(phone.client.all('dm')).toHaveLength(1);
    expect(laptop.client.all('dm')).toHaveLength(1);
    expect(bob.client.all('dm')).toHaveLength(0);
  });
});

describe('sendToClient', () => {
  it('reaches only that client', async () => {
    server = track(await startTestServer());
    const first = await connectAs('alice');
    const second = await connectAs('alice');
    const report = await server.helper.sendToClient({ clientId: second.id, event: 'dm' });
    expect(report).toEqual({ recipients: 1, delivered: 1, dropped: 0 });
    await flush(first.client, second.client);
    expect(first.client.all('dm')).toHaveLength(0);
    expect(second.client.all('dm')).toEqual([{ event: 'dm' }]);
  });

  it('reports nothing delivered for an unknown client', async () => {
    server = track(await startTestServer());
    expect(await server.helper.sendToClient({ clientId: 'nobody', event: 'dm' })).toEqual({ recipients: 0, delivered: 0, dropped: 0 });
  });

  it('delivers what was sent before a disconnect in the same turn, ahead of the close frame', async () => {
    server = track(await startTestServer());
    const alice = await connectAs('alice');
    const sent = server.helper.sendToClient({ clientId: alice.id, event: 'last-words', data: 'goodbye' });
    server.helper.disconnect({ clientId: alice.id, code: CloseCode.NORMAL, reason: 'done' });
    expect(await sent).toEqual({ recipients: 1, delivered: 1, dropped: 0 });
    expect(await alice.client.closed).toEqual({ code: CloseCode.NORMAL, reason: 'done' });
    expect(alice.client.all('last-words')).toEqual([{ event: 'last-words', data: 'goodbye' }]);
  });
});

describe('messageHandler', () => {
  it('receives application events with the sender, and never protocol events', async () => {
    const seen: Array<{ userId: string; event: string; data: unknown }> = [];
    server = track(await startTestServer({
      messageHandler: ({ userId, event, data }) => void seen.push({ userId, event, data }),
    }));
    const alice = await connectAs('alice');
    alice.client.send('heartbeat');
    alice.client.send('join', { rooms: ['a'] });
    await alice.client.next('joined');
    alice.client.send('connected', {});
    alice.client.send('sealed:anything', {});
    alice.client.send('chat', { text: 'hello' });
    const errors = [await alice.client.next('error'), await alice.client.next('error')];
    expect(errors.map((error) => error.data.code)).toEqual(['RESERVED_EVENT', 'RESERVED_EVENT']);
    await expect.poll(() => seen.length).toBe(1);
    expect(seen).toEqual([{ userId: 'alice', event: 'chat', data: { text: 'hello' } }]);
  });

  it('answers HANDLER_FAILED when the handler throws, and keeps the connection', async () => {
    server = track(await startTestServer({
      messageHandler: async ({ event }) => {
        if (event === 'explode') throw new Error('bug');
      },
    }));
    const alice = await connectAs('alice');
    alice.client.send('explode');
    expect((await alice.client.next('error')).data).toEqual({
      code: 'HANDLER_FAILED',
      message: 'The server could not process the message',
    });
    alice.client.send('join', { rooms: ['a'] });
    expect((await alice.client.next('joined')).data.rooms).toEqual(['a']);
  });
});

describe('writes to one socket: the turn writer and ws', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps data frames in send order and writes the close frame after all of them, while ws writes a ping in between', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    server = track(await startTestServer());
    const { client, id } = await connectAs('alice');
    const seen: string[] = [];
    client.socket.on('message', (raw) => seen.push(`message ${JSON.parse(String(raw)).data}`));
    client.socket.on('ping', () => seen.push('ping'));
    const closed = client.closed.then(({ code }) => seen.push(`close ${code}`));

    // One turn: data frames queued for the socket, a heartbeat ping written by ws, more data, then the close.
    for (const n of [0, 1, 2]) void server.helper.sendToClient({ clientId: id, event: 'n', data: n });
    vi.advanceTimersByTime(WebSocketDefaults.HEARTBEAT_INTERVAL_MS);
    for (const n of [3, 4]) void server.helper.sendToClient({ clientId: id, event: 'n', data: n });
    server.helper.disconnect({ clientId: id, code: CloseCode.NORMAL, reason: 'done' });
    await closed;

    expect(seen.filter((entry) => entry.startsWith('message'))).toEqual([0, 1, 2, 3, 4].map((n) => `message ${n}`));
    expect(seen).toContain('ping');
    expect(seen.at(-1)).toBe(`close ${CloseCode.NORMAL}`);
  });
});

describe('writeDelayMs: opt-in write batching', () => {
  it('holds a client\'s messages for the delay and delivers them together, in order', async () => {
    const writeDelayMs = 250;
    server = track(await startTestServer({ writeDelayMs }));
    const { client, id } = await connectAs('alice');
    const arrivals: Array<{ data: unknown; at: number }> = [];
    client.socket.on('message', (raw) => arrivals.push({ data: JSON.parse(String(raw)).data, at: performance.now() }));
    const sentAt = performance.now();
    await server.helper.sendToClient({ clientId: id, event: 'n', data: 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.helper.sendToClient({ clientId: id, event: 'n', data: 2 });
    await vi.waitFor(() => expect(arrivals).toHaveLength(2), { timeout: 5 * writeDelayMs });
    expect(arrivals.map((arrival) => arrival.data)).toEqual([1, 2]);
    expect(arrivals[0]!.at - sentAt).toBeGreaterThanOrEqual(writeDelayMs - 5);
    // Sent 50 ms apart, written in one go.
    expect(arrivals[1]!.at - arrivals[0]!.at).toBeLessThan(25);
  });

  it('does not hold protocol answers, writes what is held ahead of a close, and shuts down without waiting for the delay', async () => {
    server = track(await startTestServer({ writeDelayMs: 60_000 }));
    // Connecting and joining at all (within the test client's 5 s) shows `connected` and `joined` were not held for a minute.
    const alice = await connectAs('alice', ['lobby']);
    const bob = await connectAs('bob');
    await server.helper.sendToClient({ clientId: alice.id, event: 'last-words', data: 'goodbye' });
    server.helper.disconnect({ clientId: alice.id, code: CloseCode.NORMAL, reason: 'done' });
    expect(await alice.client.closed).toEqual({ code: CloseCode.NORMAL, reason: 'done' });
    expect(alice.client.all('last-words')).toEqual([{ event: 'last-words', data: 'goodbye' }]);
    await server.helper.sendToClient({ clientId: bob.id, event: 'news', data: 'held' });
    const started = performance.now();
    await server.helper.shutdown();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(bob.client.all('news')).toEqual([{ event: 'news', data: 'held' }]);
  });
});
