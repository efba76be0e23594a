import { afterEach, describe, expect, it } from 'vitest';
import { SecurityLevel } from '../../src/index.ts';
import { ClientLifecycleEvent, type SealedClient, type WebSocketConstructor } from '../../src/client/index.ts';
import { interceptedWebSocket, recordChat, sdkClient, startSecureServer, type SecureTestServer } from '../support/secure-test-server.ts';

let server: SecureTestServer | undefined;
const clients: SealedClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

/** Messages sent while the test runs, one every few milliseconds. */
const MESSAGES = 150;
const SEND_EVERY_MS = 4;
const FAST_RECONNECT = { enabled: true, initialDelayMs: 30, maxDelayMs: 30, jitter: 0 };

/** A client that records the `chat` numbers it receives and its rejoins. */
function recordingClient(url: string, options: Parameters<typeof sdkClient>[2], user = 'alice') {
  const client = sdkClient(url, user, { reconnect: FAST_RECONNECT, ...options });
  clients.push(client);
  return { client, ...recordChat(client) };
}

describe.each([SecurityLevel.ENCRYPTED, SecurityLevel.NONE])('recovery at level %s', (level) => {
  it('delivers every room message exactly once and in order across a dropped TCP connection, and says recovered', async () => {
    server = await startSecureServer({
      acceptedLevels: [level],
      server: { roomHistoryFn: ({ room }) => room === 'lobby' },
    });
    const interception = interceptedWebSocket();
    const { client: alice, received, rejoins } = recordingClient(server.url, { level, WebSocket: interception.WebSocket });
    await alice.connect();
    await alice.join(['lobby']);

    for (let n = 1; n <= MESSAGES; n += 1) {
      await server.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { n } });
      // Cut the client's TCP connection a third of the way in: the server is not told first.
      if (n === MESSAGES / 3) interception.socket!.terminate();
      await new Promise((resolve) => setTimeout(resolve, SEND_EVERY_MS));
    }
    await expect.poll(() => received.length, { timeout: 5_000 }).toBe(MESSAGES);
    expect(received).toEqual(Array.from({ length: MESSAGES }, (_, i) => i + 1));
    expect(rejoins).toEqual([{ rooms: ['lobby'], denied: [], recovered: true, recoveredRooms: { lobby: true } }]);
    expect(alice.positionOf('lobby')).toMatchObject({ offset: MESSAGES });
  });
});

describe('recovery that cannot be complete', () => {
  it('says recovered: false after a server restart with in-memory history, and delivers nothing twice', async () => {
    server = await startSecureServer({ server: { roomHistoryFn: () => true } });
    const port = server.port;
    const identity = server.identity;
    const { client: alice, received, rejoins } = recordingClient(server.url, {});
    await alice.connect();
    await alice.join(['lobby']);
    await server.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { n: 1 } });
    await expect.poll(() => received).toEqual([1]);

    await server.close();
    server = await startSecureServer({ identity, port, server: { roomHistoryFn: () => true } });
    await expect.poll(() => rejoins.length, { timeout: 5_000 }).toBe(1);
    expect(rejoins[0]).toMatchObject({ recovered: false, recoveredRooms: { lobby: false } });
    // The new stream starts at offset 1 again under a new epoch: delivered, not taken for a duplicate.
    await server.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { n: 2 } });
    await expect.poll(() => received).toEqual([1, 2]);
  });
});

describe('emits while the first connect runs', () => {
  it('are sent once the connection is open, in order, requests answered; refused with CLOSED when that connect fails for good', async () => {
    const handled: number[] = [];
    server = await startSecureServer({
      server: {
        messageHandler: ({ event, data }) => {
          const { n } = data as { n: number };
          handled.push(n);
          return event === 'double' ? 2 * n : undefined;
        },
      },
    });
    const alice = sdkClient(server.url, 'alice');
    clients.push(alice);
    const opening = alice.connect();
    expect(alice.state).toBe('connecting');
    const emits = [alice.emit('note', { n: 1 }), alice.emit('note', { n: 2 })];
    const doubled = alice.request('double', { n: 3 });
    await opening;
    await Promise.all(emits);
    expect(await doubled).toBe(6);
    expect(handled).toEqual([1, 2, 3]);

    const refused = sdkClient(server.url, '');
    clients.push(refused);
    const failing = refused.connect();
    const lost = refused.emit('note', { n: 4 });
    await expect(failing).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await expect(lost).rejects.toMatchObject({ code: 'CLOSED' });
    expect(handled).toEqual([1, 2, 3]);
  });
});

/** A WebSocket class making `inner` sockets, that first tells `onConstruct` how many it has been asked for (it may throw, refusing that one). */
function countingWebSocket(inner: WebSocketConstructor, onConstruct: (count: number) => void): WebSocketConstructor {
  let count = 0;
  return function (this: unknown, url: string) {
    count += 1;
    onConstruct(count);
    return new inner(url);
  } as unknown as WebSocketConstructor;
}

describe('connect() while reconnecting', () => {
  it('makes the attempt waiting out its backoff at once, and resolves once the client is back', async () => {
    server = await startSecureServer();
    const interception = interceptedWebSocket();
    let sockets = 0;
    const Counted = countingWebSocket(interception.WebSocket, (count) => (sockets = count));
    const backoffMs = 300;
    const { client: alice } = recordingClient(server.url, { WebSocket: Counted, reconnect: { ...FAST_RECONNECT, initialDelayMs: backoffMs, maxDelayMs: backoffMs } });
    await alice.connect();
    const reconnecting = new Promise((resolve) => alice.on(ClientLifecycleEvent.RECONNECTING, resolve));
    interception.socket!.terminate();
    await reconnecting;

    const back = alice.connect();
    expect(alice.connect()).toBe(back);
    expect((await back).clientId).toBeTypeOf('string');
    // The attempt the backoff held was the one made: no second socket once the backoff is over.
    await new Promise((resolve) => setTimeout(resolve, 2 * backoffMs));
    expect(sockets).toBe(2);
    expect(alice.state).toBe('open');
  });
});

describe('connect() from a close listener', () => {
  it('makes the reconnect attempt then, and the backoff timer makes no second one', async () => {
    server = await startSecureServer();
    const interception = interceptedWebSocket();
    let sockets = 0;
    const backoffMs = 200;
    const { client: alice } = recordingClient(server.url, {
      WebSocket: countingWebSocket(interception.WebSocket, (count) => (sockets = count)),
      reconnect: { ...FAST_RECONNECT, initialDelayMs: backoffMs, maxDelayMs: backoffMs },
    });
    await alice.connect();
    let back: Promise<unknown> | undefined;
    alice.on(ClientLifecycleEvent.CLOSE, () => (back ??= alice.connect()));
    interception.socket!.terminate();

    await expect.poll(() => back).toBeDefined();
    await back;
    await new Promise((resolve) => setTimeout(resolve, 2 * backoffMs));
    expect(sockets).toBe(2);
    expect(alice.state).toBe('open');
  });
});

describe('emits while reconnecting', () => {
  it('are queued and sent once, in order, after the rooms are rejoined; past maxQueuedEmits the newest is refused', async () => {
    const handled: Array<{ event: string; n: number; inLobby: boolean }> = [];
    server = await startSecureServer({
      server: {
        roomHistoryFn: () => true,
        messageHandler: ({ clientId, event, data }) =>
          void handled.push({ event, n: (data as { n: number }).n, inLobby: server!.helper.getClient({ clientId })?.rooms.has('lobby') ?? false }),
      },
    });
    const interception = interceptedWebSocket();
    const { client: alice, rejoins } = recordingClient(server.url, { WebSocket: interception.WebSocket, maxQueuedEmits: 3 });
    await alice.connect();
    await alice.join(['lobby']);
    await alice.emit('note', { n: 0 });
    await expect.poll(() => handled.length).toBe(1);

    const reconnecting = new Promise((resolve) => alice.on(ClientLifecycleEvent.RECONNECTING, resolve));
    interception.socket!.terminate();
    await reconnecting;
    const queued = [1, 2, 3].map((n) => alice.emit('note', { n }));
    await expect(alice.emit('note', { n: 4 })).rejects.toMatchObject({ code: 'OFFLINE_QUEUE_FULL' });
    await Promise.all(queued);
    expect(rejoins).toHaveLength(1);
    await expect.poll(() => handled.map(({ n }) => n)).toEqual([0, 1, 2, 3]);
    // Each arrived after the rejoin: the client was in its room again when the server handled it.
    expect(handled.every(({ inLobby }) => inLobby)).toBe(true);
  });

  it('are refused when a reconnect cannot open a socket, rather than left waiting', async () => {
    server = await startSecureServer();
    const interception = interceptedWebSocket();
    // The second socket cannot be made (a browser out of sockets, say).
    const FailingOnReconnect = countingWebSocket(interception.WebSocket, (count) => {
      if (count > 1) throw new Error('no more sockets');
    });
    const { client: alice } = recordingClient(server.url, { WebSocket: FailingOnReconnect });
    await alice.connect();
    const reconnecting = new Promise((resolve) => alice.on(ClientLifecycleEvent.RECONNECTING, resolve));
    interception.socket!.terminate();
    await reconnecting;
    const queued = alice.emit('note', {});

    await expect(queued).rejects.toMatchObject({ code: 'CLOSED' });
    expect(alice.state).toBe('closed');
  });

  it('are refused with CLOSED when the client closes for good, and with NOT_OPEN before it ever opened or with maxQueuedEmits 0', async () => {
    server = await startSecureServer();
    const never = sdkClient(server.url, 'bob');
    clients.push(never);
    await expect(never.emit('note', {})).rejects.toMatchObject({ code: 'NOT_OPEN' });

    const interception = interceptedWebSocket();
    const { client: alice } = recordingClient(server.url, { WebSocket: interception.WebSocket, reconnect: { ...FAST_RECONNECT, initialDelayMs: 5_000, maxDelayMs: 5_000 } });
    await alice.connect();
    interception.socket!.terminate();
    await expect.poll(() => alice.state).toBe('reconnecting');
    const queued = alice.emit('note', {});
    alice.close();
    await expect(queued).rejects.toMatchObject({ code: 'CLOSED' });

    const cut = interceptedWebSocket();
    const { client: unqueued } = recordingClient(server.url, { WebSocket: cut.WebSocket, maxQueuedEmits: 0, reconnect: { ...FAST_RECONNECT, initialDelayMs: 5_000, maxDelayMs: 5_000 } }, 'carol');
    await unqueued.connect();
    cut.socket!.terminate();
    await expect.poll(() => unqueued.state).toBe('reconnecting');
    await expect(unqueued.emit('note', {})).rejects.toMatchObject({ code: 'NOT_OPEN' });
  });
});

describe('joins and leaves while emits are queued', () => {
  /** A server that records, for each `note` it handles, its number and the rooms its sender was in then. */
  async function recordingRooms(): Promise<Array<{ n: number; rooms: string[] }>> {
    const handled: Array<{ n: number; rooms: string[] }> = [];
    server = await startSecureServer({
      server: {
        messageHandler: ({ clientId, data }) =>
          void handled.push({ n: (data as { n: number }).n, rooms: [...(server!.helper.getClient({ clientId })?.rooms ?? [])].sort() }),
      },
    });
    return handled;
  }

  it('wait in their place while reconnecting, behind the rejoin, and answer with their own result', async () => {
    const handled = await recordingRooms();
    const interception = interceptedWebSocket();
    const { client: alice, rejoins } = recordingClient(server!.url, { WebSocket: interception.WebSocket });
    await alice.connect();
    await alice.join(['lobby']);

    const reconnecting = new Promise((resolve) => alice.on(ClientLifecycleEvent.RECONNECTING, resolve));
    interception.socket!.terminate();
    await reconnecting;
    const first = alice.emit('note', { n: 1 });
    const joined = alice.join(['kitchen']);
    const second = alice.emit('note', { n: 2 });
    const left = alice.leave(['lobby']);
    const third = alice.emit('note', { n: 3 });

    await Promise.all([first, second, third]);
    await expect(joined).resolves.toMatchObject({ rooms: ['kitchen'], denied: [] });
    await expect(left).resolves.toMatchObject({ rooms: ['lobby'] });
    expect(rejoins).toMatchObject([{ rooms: ['lobby'] }]);
    await expect.poll(() => handled).toEqual([
      { n: 1, rooms: ['lobby'] },
      { n: 2, rooms: ['kitchen', 'lobby'] },
      { n: 3, rooms: ['kitchen'] },
    ]);
  });

  it('made by an open listener go behind the emits queued before it', async () => {
    const handled = await recordingRooms();
    const interception = interceptedWebSocket();
    const { client: alice } = recordingClient(server!.url, { WebSocket: interception.WebSocket });
    let opens = 0;
    let joined: Promise<unknown> | undefined;
    // The second open is the reconnect's.
    alice.on(ClientLifecycleEvent.OPEN, () => (opens += 1) === 2 && (joined = alice.join(['kitchen'])));
    await alice.connect();
    await alice.join(['lobby']);

    const reconnecting = new Promise((resolve) => alice.on(ClientLifecycleEvent.RECONNECTING, resolve));
    interception.socket!.terminate();
    await reconnecting;
    await alice.emit('note', { n: 1 });
    await expect.poll(() => joined).toBeDefined();
    await expect(joined).resolves.toMatchObject({ rooms: ['kitchen'] });
    await alice.emit('note', { n: 2 });

    await expect.poll(() => handled).toEqual([
      { n: 1, rooms: ['lobby'] },
      { n: 2, rooms: ['kitchen', 'lobby'] },
    ]);
  });

  it('wait for the first connect, one that throws refused on its own, and are refused with CLOSED when the client closes first', async () => {
    const handled = await recordingRooms();
    const { client: alice } = recordingClient(server!.url, {});
    const connected = alice.connect();
    const joined = alice.join(['lobby']);
    // A join that throws when it is made (rooms that are not a list, from JavaScript) is refused alone.
    const malformedRefused = expect(alice.join(undefined as unknown as string[])).rejects.toBeInstanceOf(TypeError);
    const noted = alice.emit('note', { n: 1 });
    await expect(joined).resolves.toMatchObject({ rooms: ['lobby'] });
    await malformedRefused;
    await Promise.all([connected, noted]);
    await expect.poll(() => handled).toEqual([{ n: 1, rooms: ['lobby'] }]);

    const { client: bob } = recordingClient(server!.url, {}, 'bob');
    void bob.connect().catch(() => undefined);
    const refused = bob.join(['lobby']);
    bob.close();
    await expect(refused).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
