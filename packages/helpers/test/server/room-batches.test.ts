import { describe, expect, it } from 'vitest';
import { TestClient, closeAfterEach } from '@sealed/test-support';
import { CloseCode, SecurityLevel, SlowConsumerPolicy, WriteCoalescing, type DeliveryReport, type WebSocketServerOptions } from '../../src/index.ts';
import { awaitMarker, startTestServer, type TestServer } from '../support/test-server.ts';
import { recordChat, sdkClient, startSecureServer } from '../support/secure-test-server.ts';

/**
 * Room sends made in one turn are written member by member once the turn's
 * synchronous work is done. These tests make every send of a case in one
 * turn, with the writes and changes that must keep their place among them.
 */
const track = closeAfterEach();
let server: TestServer;

/** A connected client, with what it was sent, in order, as `event data`. */
interface Member {
  client: TestClient;
  id: string;
  seen: string[];
}

async function connectAs(user: string, rooms: string[]): Promise<Member> {
  const client = track(await TestClient.as(server.url, user, rooms));
  const seen: string[] = [];
  client.socket.on('message', (raw) => {
    const { event, data } = JSON.parse(String(raw)) as { event: string; data: unknown };
    if (event !== 'flush') seen.push(`${event} ${JSON.stringify(data)}`);
  });
  return { client, id: client.id!, seen };
}

/** Resolves once `member` has been sent `count` messages. */
function receivedAll(member: Member, count: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (member.seen.length < count) return;
      member.client.socket.off('message', check);
      resolve();
    };
    member.client.socket.on('message', check);
    check();
  });
}

/** A server (with `options`) with alice and bob in the lobby. */
async function lobbyOfTwo(options: Partial<WebSocketServerOptions> = {}): Promise<{ alice: Member; bob: Member }> {
  server = track(await startTestServer(options));
  return { alice: await connectAs('alice', ['lobby']), bob: await connectAs('bob', ['lobby']) };
}

/** Waits until everything sent to `targets` so far has arrived. */
function flush(...targets: TestClient[]): Promise<void> {
  return awaitMarker(server, ...targets);
}

describe('room sends of one turn', () => {
  it('reach each member in the order they were sent, with sends to one member and to other rooms in their place', async () => {
    server = track(await startTestServer());
    const alice = await connectAs('alice', ['lobby', 'kitchen']);
    const bob = await connectAs('bob', ['lobby']);
    const carol = await connectAs('carol', ['kitchen']);

    const reports = [
      server.helper.sendToRoom({ room: 'lobby', event: 'lobby', data: 1 }),
      server.helper.sendToRoom({ room: 'lobby', event: 'lobby', data: 2 }),
      server.helper.sendToClient({ clientId: alice.id, event: 'direct', data: 3 }),
      server.helper.sendToRoom({ room: 'lobby', event: 'lobby', data: 4 }),
      server.helper.sendToRoom({ room: 'kitchen', event: 'kitchen', data: 5 }),
      server.helper.sendToRoom({ room: 'lobby', event: 'lobby', data: 6 }),
    ];
    expect(await Promise.all(reports)).toEqual([2, 2, 1, 2, 2, 2].map((n): DeliveryReport => ({ recipients: n, delivered: n, dropped: 0 })));
    await flush(alice.client, bob.client, carol.client);

    expect(alice.seen).toEqual(['lobby 1', 'lobby 2', 'direct 3', 'lobby 4', 'kitchen 5', 'lobby 6']);
    expect(bob.seen).toEqual(['lobby 1', 'lobby 2', 'lobby 4', 'lobby 6']);
    expect(carol.seen).toEqual(['kitchen 5']);
  });

  it('leave out a member only for the sends that exclude it', async () => {
    const { alice, bob } = await lobbyOfTwo();
    const before = server.helper.getMetrics().messagesDelivered;

    const reports = await Promise.all([
      server.helper.sendToRoom({ room: 'lobby', event: 'n', data: 1 }),
      server.helper.sendToRoom({ room: 'lobby', event: 'n', data: 2, exclude: [alice.id] }),
      server.helper.sendToRoom({ room: 'lobby', event: 'n', data: 3 }),
    ]);
    await flush(alice.client, bob.client);

    expect(reports.map((report) => report.delivered)).toEqual([2, 1, 2]);
    expect(server.helper.getMetrics().messagesDelivered - before).toBe(5 + 2);
    expect(alice.seen).toEqual(['n 1', 'n 3']);
    expect(bob.seen).toEqual(['n 1', 'n 2', 'n 3']);
  });

  it('leave out a member written after the shared buffer, which then gets the other messages one by one, multi-byte text intact', async () => {
    const { alice, bob } = await lobbyOfTwo();

    const reports = await Promise.all([
      server.helper.sendToRoom({ room: 'lobby', event: 'n', data: 'één' }),
      server.helper.sendToRoom({ room: 'lobby', event: 'n', data: '🙂', exclude: [bob.id] }),
      server.helper.sendToRoom({ room: 'lobby', event: 'n', data: 'ß'.repeat(200) }),
    ]);
    await flush(alice.client, bob.client);

    expect(reports.map((report) => report.delivered)).toEqual([2, 1, 2]);
    expect(alice.seen).toEqual(['n "één"', 'n "🙂"', `n "${'ß'.repeat(200)}"`]);
    expect(bob.seen).toEqual(['n "één"', `n "${'ß'.repeat(200)}"`]);
  });

  it('reach a member that joins between them only from its join on, and one that leaves only until it leaves', async () => {
    const { alice, bob } = await lobbyOfTwo();
    const carol = await connectAs('carol', []);

    void server.helper.sendToRoom({ room: 'lobby', event: 'n', data: 1 });
    expect(server.helper.joinRoom({ clientId: carol.id, rooms: ['lobby'] })).toEqual(['lobby']);
    void server.helper.sendToRoom({ room: 'lobby', event: 'n', data: 2 });
    expect(server.helper.leaveRoom({ clientId: bob.id, rooms: ['lobby'] })).toEqual(['lobby']);
    void server.helper.sendToRoom({ room: 'lobby', event: 'n', data: 3 });
    await flush(alice.client, bob.client, carol.client);

    expect(alice.seen).toEqual(['n 1', 'n 2', 'n 3']);
    expect(bob.seen).toEqual(['n 1', 'n 2']);
    expect(carol.seen).toEqual(['n 2', 'n 3']);
  });

  it('carry the data as it was when each send was made', async () => {
    const { alice, bob } = await lobbyOfTwo();

    const data = { n: 1 };
    void server.helper.sendToRoom({ room: 'lobby', event: 'n', data });
    data.n = 2;
    void server.helper.sendToRoom({ room: 'lobby', event: 'n', data });
    data.n = 3;
    await flush(alice.client, bob.client);

    expect(alice.seen).toEqual(['n {"n":1}', 'n {"n":2}']);
    expect(bob.seen).toEqual(alice.seen);
  });

  it('refuse a send whose data cannot be serialized on its own, and deliver the sends around it', async () => {
    const { alice, bob } = await lobbyOfTwo();

    const first = server.helper.sendToRoom({ room: 'lobby', event: 'n', data: 1 });
    const unserializable = server.helper.sendToRoom({ room: 'lobby', event: 'n', data: { n: 2n } });
    const third = server.helper.sendToRoom({ room: 'lobby', event: 'n', data: 3 });

    await expect(unserializable).rejects.toThrow(TypeError);
    expect((await Promise.all([first, third])).map((report) => report.delivered)).toEqual([2, 2]);
    await flush(alice.client, bob.client);
    expect(alice.seen).toEqual(['n 1', 'n 3']);
    expect(bob.seen).toEqual(['n 1', 'n 3']);
  });

  it('reach a member disconnected in the same turn ahead of its close frame', async () => {
    const { alice, bob } = await lobbyOfTwo();

    void server.helper.sendToRoom({ room: 'lobby', event: 'n', data: 1 });
    void server.helper.sendToRoom({ room: 'lobby', event: 'n', data: 2 });
    server.helper.disconnect({ clientId: alice.id, code: CloseCode.NORMAL, reason: 'done' });

    expect(await alice.client.closed).toEqual({ code: CloseCode.NORMAL, reason: 'done' });
    expect(alice.seen).toEqual(['n 1', 'n 2']);
    await flush(bob.client);
    expect(bob.seen).toEqual(['n 1', 'n 2']);
  });

  it('reach encrypted members sealed in the order they were sent, a send to one member between them included', async () => {
    server = track(await startSecureServer());
    const alice = track(sdkClient(server.url, 'alice'));
    const bob = track(sdkClient(server.url, 'bob'));
    const heard = [recordChat(alice), recordChat(bob)];
    const failures: unknown[] = [];
    for (const client of [alice, bob]) {
      client.on('sealed:failure', (failure) => failures.push(failure));
      await client.connect();
      await client.join(['lobby']);
    }
    const aliceId = server.helper.getClientsByUser({ userId: 'alice' })[0]!.id;

    const reports = await Promise.all([
      server.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { n: 1 } }),
      server.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { n: 2 } }),
      server.helper.sendToClient({ clientId: aliceId, event: 'chat', data: { n: 3 } }),
      server.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { n: 4 } }),
    ]);

    expect(reports.map((report) => report.delivered)).toEqual([2, 2, 1, 2]);
    await expect.poll(() => heard.map((record) => record.received)).toEqual([
      [1, 2, 3, 4],
      [1, 2, 4],
    ]);
    expect(failures).toEqual([]);
  });

  it('reach a room of plaintext and encrypted members, each by its own path, in order and left out only where excluded', async () => {
    server = track(await startSecureServer({ acceptedLevels: [SecurityLevel.NONE, SecurityLevel.ENCRYPTED] }));
    const alice = track(sdkClient(server.url, 'alice'));
    const heard = recordChat(alice);
    expect((await alice.connect()).level).toBe(SecurityLevel.ENCRYPTED);
    await alice.join(['lobby']);
    const bob = await connectAs('bob', ['lobby']);
    const aliceId = server.helper.getClientsByUser({ userId: 'alice' })[0]!.id;

    const reports = await Promise.all([
      server.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { n: 1 } }),
      server.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { n: 2 }, exclude: [bob.id] }),
      server.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { n: 3 }, exclude: [aliceId] }),
      server.helper.sendToClient({ clientId: aliceId, event: 'chat', data: { n: 4 } }),
      server.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { n: 5 } }),
    ]);

    expect(reports.map((report) => report.delivered)).toEqual([2, 1, 1, 1, 2]);
    await expect.poll(() => heard.received).toEqual([1, 2, 4, 5]);
    await flush(bob.client);
    expect(bob.seen).toEqual(['chat {"n":1}', 'chat {"n":3}', 'chat {"n":5}']);
  });

  it('count each message of a shared write that a slow member misses under the drop policy, and reach the others', async () => {
    const { alice, bob } = await lobbyOfTwo({ maxBufferedBytes: 64 * 1024, slowConsumerPolicy: SlowConsumerPolicy.DROP });
    bob.client.socket.pause();
    const payload = 'x'.repeat(16 * 1024);
    const sendsPerTurn = 3;
    let turns = 0;
    let reports: DeliveryReport[] = [];
    while (server.helper.getMetrics().slowConsumerDrops === 0 && turns < 2_000) {
      reports = await Promise.all(Array.from({ length: sendsPerTurn }, () => server.helper.sendToRoom({ room: 'lobby', event: 'bulk', data: payload })));
      turns += 1;
      // Alice keeps up: only bob falls behind.
      await receivedAll(alice, sendsPerTurn * turns);
    }

    expect(server.helper.getMetrics().slowConsumerDrops).toBe(sendsPerTurn);
    expect(reports).toEqual(Array.from({ length: sendsPerTurn }, (): DeliveryReport => ({ recipients: 2, delivered: 1, dropped: 1 })));
    bob.client.socket.resume();
    // Bob gets everything but the last turn's three, which were dropped for him.
    await receivedAll(bob, sendsPerTurn * (turns - 1));
    await flush(alice.client, bob.client);
    expect(alice.seen).toHaveLength(sendsPerTurn * turns);
    expect(bob.seen).toHaveLength(sendsPerTurn * (turns - 1));
  });

  it.each([
    ['with a write delay', { writeDelayMs: 20 }],
    ['with writes coalesced per tick', { writeCoalescing: WriteCoalescing.TICK }],
  ])('keep their order %s', async (_name, options) => {
    const { alice, bob } = await lobbyOfTwo(options);

    const reports = await Promise.all([
      server.helper.sendToRoom({ room: 'lobby', event: 'n', data: 1 }),
      server.helper.sendToClient({ clientId: bob.id, event: 'direct', data: 2 }),
      server.helper.sendToRoom({ room: 'lobby', event: 'n', data: 3, exclude: [alice.id] }),
      server.helper.sendToRoom({ room: 'lobby', event: 'n', data: 4 }),
    ]);
    await flush(alice.client, bob.client);

    expect(reports.map((report) => report.delivered)).toEqual([2, 1, 1, 2]);
    expect(alice.seen).toEqual(['n 1', 'n 4']);
    expect(bob.seen).toEqual(['n 1', 'direct 2', 'n 3', 'n 4']);
  });
});
