import { describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode, InvalidOptionsError, UsageErrorCode, type HandshakeFn, type OutboundTransformer } from '../../src/index.ts';
import { TestClient, closeAfterEach } from '@sealed/test-support';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const track = closeAfterEach();
let server: TestServer;

/** A handshake that challenges a client sending `{ key: true }` and makes it encrypted once it sends its finish. */
const keyedHandshake: HandshakeFn = ({ data }) =>
  (data as { key?: boolean }).key
    ? { challenge: { serverKey: 'server-public-key' }, finish: () => ({ encrypted: true }), abandon: () => undefined }
    : null;

/** A stand-in for encryption: wraps every message so a test can tell transformed frames from plaintext. */
const wrap: OutboundTransformer = ({ event, data }) => ({ event: 'wrapped', data: { event, data } });

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the keyed handshake: authenticate, the challenge, the finish; resolves once the server has the client open. */
async function authenticateKeyed(name: string): Promise<{ client: TestClient; clientId: string }> {
  const client = track(await TestClient.connect(server.url));
  client.send('authenticate', { token: name, key: true });
  expect((await client.next('sealed:handshake')).data).toEqual({ serverKey: 'server-public-key' });
  client.send('sealed:finish', {});
  await expect.poll(() => server.helper.getClientsByUser({ userId: name })[0]?.state).toBe('OPEN');
  return { client, clientId: server.helper.getClientsByUser({ userId: name })[0]!.id };
}

async function joinEncrypted(name: string, room = 'lobby'): Promise<TestClient> {
  const { client } = await authenticateKeyed(name);
  expect((await client.next('wrapped')).data.event).toBe('connected');
  client.send('join', { rooms: [room] });
  await client.next('wrapped');
  return client;
}

describe('the handshake hook', () => {
  it('sends the challenge in plaintext, runs authenticateFn on the authenticate payload once the finish arrives, and sends connected through the transformer', async () => {
    server = track(await startTestServer({ handshakeFn: keyedHandshake, outboundTransformer: wrap }));
    const { client } = await authenticateKeyed('alice');
    expect((await client.next('wrapped')).data).toMatchObject({ event: 'connected', data: { userId: 'alice' } });
    expect(client.received.map((message) => message.event)).toEqual(['sealed:handshake', 'wrapped']);
    expect(server.helper.getClientsByUser({ userId: 'alice' })[0]?.encrypted).toBe(true);
  });

  it('answers a finish that no challenge waits for with NOT_AUTHENTICATED, and keeps serving', async () => {
    server = track(await startTestServer({ handshakeFn: keyedHandshake, outboundTransformer: wrap }));
    const client = track(await TestClient.connect(server.url));
    client.send('sealed:finish', {});
    expect((await client.next('error')).data.code).toBe(ErrorCode.NOT_AUTHENTICATED);
    client.send('authenticate', { token: 'alice', key: true });
    await client.next('sealed:handshake');
  });

  it('abandons the challenge of a client that goes before its finish', async () => {
    let abandoned = 0;
    server = track(await startTestServer({
      handshakeFn: () => ({ challenge: {}, finish: () => ({ encrypted: true }), abandon: () => void (abandoned += 1) }),
      outboundTransformer: wrap,
    }));
    const client = await TestClient.connect(server.url);
    client.send('authenticate', { token: 'alice' });
    await client.next('sealed:handshake');
    client.socket.close();
    await expect.poll(() => abandoned).toBe(1);
    await expect.poll(() => server.helper.getClients().length).toBe(0);
  });

  it('with requireEncryption, refuses a client without key material: error, then 4004', async () => {
    server = track(await startTestServer({ handshakeFn: keyedHandshake, outboundTransformer: wrap, requireEncryption: true }));
    const client = await TestClient.connect(server.url);
    client.send('authenticate', { token: 'alice' });
    expect((await client.next('error')).data.code).toBe(ErrorCode.ENCRYPTION_REQUIRED);
    expect((await client.closed).code).toBe(CloseCode.ENCRYPTION_REQUIRED);
    expect(server.helper.getMetrics().handshakeFailures).toBe(1);
  });

  it('with requireEncryption, refuses a handshake that leaves the client in plaintext', async () => {
    server = track(await startTestServer({ handshakeFn: () => ({ encrypted: false }), requireEncryption: true }));
    const client = await TestClient.connect(server.url);
    client.send('authenticate', { token: 'alice' });
    expect((await client.closed).code).toBe(CloseCode.ENCRYPTION_REQUIRED);
  });

  it('refuses with 4004 when the handshake throws', async () => {
    server = track(await startTestServer({
      handshakeFn: () => {
        throw new Error('bad key');
      },
    }));
    const client = await TestClient.connect(server.url);
    client.send('authenticate', { token: 'alice', key: true });
    expect((await client.closed).code).toBe(CloseCode.ENCRYPTION_REQUIRED);
  });

  it('keeps a client that has not finished its handshake out of rooms and broadcasts', async () => {
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    server = track(await startTestServer({
      handshakeFn: async () => {
        await gate;
        return { encrypted: true };
      },
      outboundTransformer: wrap,
    }));
    const client = await TestClient.connect(server.url);
    track(client);
    client.send('authenticate', { token: 'alice', key: true });
    await expect.poll(() => server.helper.getClients()[0]?.state).toBe('HANDSHAKING');
    expect(await server.helper.broadcast({ event: 'news' })).toEqual({ recipients: 0, delivered: 0, dropped: 0 });
    finish();
    expect((await client.next('wrapped')).data.event).toBe('connected');
    expect(await server.helper.broadcast({ event: 'news' })).toEqual({ recipients: 1, delivered: 1, dropped: 0 });
  });
});

describe('the outbound transformer', () => {
  it('never has more than encryptedBatchLimit calls in flight, across a room of 50', async () => {
    const limit = 4;
    let inFlight = 0;
    let peak = 0;
    server = track(await startTestServer({
      handshakeFn: keyedHandshake,
      encryptedBatchLimit: limit,
      outboundTransformer: async (context) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await pause(Math.random() * 3);
        inFlight -= 1;
        return wrap(context);
      },
    }));
    const members = await Promise.all(Array.from({ length: 50 }, (_, i) => joinEncrypted(`user-${i}`)));
    peak = 0;
    const [first, second] = await Promise.all([
      server.helper.sendToRoom({ room: 'lobby', event: 'news', data: 1 }),
      server.helper.broadcast({ event: 'news', data: 2 }),
    ]);
    expect(first).toEqual({ recipients: 50, delivered: 50, dropped: 0 });
    expect(second).toEqual({ recipients: 50, delivered: 50, dropped: 0 });
    expect(peak).toBe(limit);
    expect(server.helper.getMetrics().transformsPeak).toBeLessThanOrEqual(limit);
    await Promise.all(members.map(async (member) => expect((await member.next('wrapped')).data).toEqual({ event: 'news', data: 1 })));
  });

  it('keeps each client\'s order when an async transformer finishes out of order', async () => {
    server = track(await startTestServer({
      handshakeFn: keyedHandshake,
      outboundTransformer: async (context) => {
        await pause(Math.random() * 10);
        return wrap(context);
      },
    }));
    const members = await Promise.all(['alice', 'bob', 'carol'].map((name) => joinEncrypted(name)));
    const sends = Array.from({ length: 25 }, (_, n) => server.helper.sendToRoom({ room: 'lobby', event: 'tick', data: n }));
    await Promise.all(sends);
    for (const member of members) {
      const ticks: unknown[] = [];
      for (let n = 0; n < 25; n += 1) ticks.push((await member.next('wrapped')).data.data);
      expect(ticks).toEqual(Array.from({ length: 25 }, (_, n) => n));
    }
  });

  it('drops the message only for the client whose transformer fails, counts it, and serves the others', async () => {
    server = track(await startTestServer({
      handshakeFn: keyedHandshake,
      outboundTransformer: (context) => {
        if (context.client.userId === 'mallory') throw new Error('no key for this client');
        return wrap(context);
      },
    }));
    const alice = await joinEncrypted('alice');
    const bob = await joinEncrypted('bob');
    const { client: mallory, clientId: malloryId } = await authenticateKeyed('mallory');
    server.helper.joinRoom({ clientId: malloryId, rooms: ['lobby'] });

    // Mallory's `connected` was dropped already.
    expect(server.helper.getMetrics().encryptedDrops).toBe(1);
    const report = await server.helper.sendToRoom({ room: 'lobby', event: 'news', data: 'hi' });
    expect(report).toEqual({ recipients: 3, delivered: 2, dropped: 1 });
    expect(server.helper.getMetrics().encryptedDrops).toBe(2);
    expect((await alice.next('wrapped')).data.data).toBe('hi');
    expect((await bob.next('wrapped')).data.data).toBe('hi');
    expect(mallory.received.map((message) => message.event)).toEqual(['sealed:handshake']);
  });

  it('builds in-place frames when the turn is written, and drops only the frame whose build fails', async () => {
    const built: string[] = [];
    server = track(await startTestServer({
      handshakeFn: keyedHandshake,
      outboundTransformer: ({ client, event, data }) => {
        const bytes = Buffer.from(JSON.stringify({ event: 'wrapped', data: { event, data } }));
        return {
          byteLength: bytes.length,
          writeTo: (target) => {
            if (client.userId === 'mallory') throw new Error('channel closed');
            built.push(String(client.userId));
            target.set(bytes);
          },
        };
      },
    }));
    const alice = await joinEncrypted('alice');
    const { client: mallory, clientId: malloryId } = await authenticateKeyed('mallory');
    server.helper.joinRoom({ clientId: malloryId, rooms: ['lobby'] });
    const before = server.helper.getMetrics().messagesDelivered;
    const dropsBefore = server.helper.getMetrics().encryptedDrops;
    built.length = 0;

    const sent = server.helper.sendToRoom({ room: 'lobby', event: 'news', data: 'hi' });
    expect(built).toEqual([]);
    // Both frames were queued; mallory's fails when the turn is written: dropped, counted, and never on the socket.
    expect(await sent).toEqual({ recipients: 2, delivered: 1, dropped: 1 });
    expect((await alice.next('wrapped')).data).toEqual({ event: 'news', data: 'hi' });
    expect(built).toEqual(['alice']);
    expect(server.helper.getMetrics().encryptedDrops).toBe(dropsBefore + 1);
    expect(server.helper.getMetrics().messagesDelivered).toBe(before + 1);
    expect(mallory.received.map((message) => message.event)).toEqual(['sealed:handshake']);
    expect(server.helper.getClient({ clientId: malloryId })?.state).toBe('OPEN');
  });

  it('never sends plaintext to an encrypted client: when the transformer returns nothing, nothing is sent', async () => {
    server = track(await startTestServer({
      handshakeFn: keyedHandshake,
      outboundTransformer: () => null,
      inboundTransformer: ({ frame }) => (typeof frame === 'string' ? null : new TextDecoder().decode(frame)),
    }));
    const { client, clientId } = await authenticateKeyed('alice');
    client.sendRaw(Buffer.from(JSON.stringify({ event: 'join', data: { rooms: ['lobby'] } })), { binary: true });
    client.sendRaw(Buffer.from(JSON.stringify({ event: 'connected' })), { binary: true });
    await expect.poll(() => server.helper.getClientsByRoom({ room: 'lobby' }).length).toBe(1);
    const report = await server.helper.sendToClient({ clientId, event: 'secret', data: 'plaintext' });
    expect(report).toEqual({ recipients: 1, delivered: 0, dropped: 1 });
    // connected, joined, the RESERVED_EVENT error and the message: all four dropped, none sent in plaintext.
    await expect.poll(() => server.helper.getMetrics().encryptedDrops).toBe(4);
    expect(client.received.map((message) => message.event)).toEqual(['sealed:handshake']);
  });

  it('sends protocol answers to an encrypted client through the transformer', async () => {
    server = track(await startTestServer({ handshakeFn: keyedHandshake, outboundTransformer: wrap }));
    const client = await joinEncrypted('alice');
    client.send('leave', { rooms: ['lobby'] });
    expect((await client.next('wrapped')).data).toEqual({ event: 'left', data: { rooms: ['lobby'], current: [] } });
    expect(client.received.map((message) => message.event)).toEqual(['sealed:handshake', 'wrapped', 'wrapped', 'wrapped']);
  });

  it('fails closed when no transformer is configured', async () => {
    server = track(await startTestServer({ handshakeFn: keyedHandshake }));
    const { clientId } = await authenticateKeyed('alice');
    expect(await server.helper.sendToClient({ clientId, event: 'secret' })).toEqual({
      recipients: 1,
      delivered: 0,
      dropped: 1,
    });
  });

  it('gives plaintext clients in the same room the shared plaintext frame', async () => {
    server = track(await startTestServer({
      handshakeFn: (context) => ((context.data as { key?: boolean }).key ? keyedHandshake(context) : { encrypted: false }),
      outboundTransformer: wrap,
    }));
    const encrypted = await joinEncrypted('alice');
    const { client: plain } = await TestClient.authenticated(server.url, { token: 'bob' });
    track(plain);
    plain.send('join', { rooms: ['lobby'] });
    await plain.next('joined');
    expect(await server.helper.sendToRoom({ room: 'lobby', event: 'news', data: 1 })).toEqual({ recipients: 2, delivered: 2, dropped: 0 });
    expect((await plain.next('news')).data).toBe(1);
    expect((await encrypted.next('wrapped')).data).toEqual({ event: 'news', data: 1 });
  });

  it('refuses a send the transformer makes while it runs, and delivers the message it transforms to everyone', async () => {
    let asideTo: string | undefined;
    const asides: Array<Promise<unknown>> = [];
    server = track(await startTestServer({
      handshakeFn: (context) => ((context.data as { key?: boolean }).key ? keyedHandshake(context) : { encrypted: false }),
      outboundTransformer: (context) => {
        // Made in the middle of the room's write, before it reaches Bob: Bob would get it first.
        if (context.event === 'news' && asideTo) {
          const aside = server.helper.sendToClient({ clientId: asideTo, event: 'aside', data: 'in the middle' });
          // Handled from the start (the test awaits its rejection below), so it is never reported as unhandled.
          aside.catch(() => undefined);
          asides.push(aside);
        }
        return wrap(context);
      },
    }));
    // Alice joins first, so the room's write reaches her (and runs the transformer) before Bob.
    const encrypted = await joinEncrypted('alice');
    const { client: plain, connected } = await TestClient.authenticated(server.url, { token: 'bob' });
    track(plain);
    plain.send('join', { rooms: ['lobby'] });
    await plain.next('joined');
    asideTo = (connected as { id: string }).id;
    expect(await server.helper.sendToRoom({ room: 'lobby', event: 'news', data: 1 })).toEqual({ recipients: 2, delivered: 2, dropped: 0 });
    expect(asides).toHaveLength(1);
    await expect(asides[0]).rejects.toMatchObject({ code: UsageErrorCode.SEND_FROM_TRANSFORMER });
    expect((await plain.next('news')).data).toBe(1);
    expect((await encrypted.next('wrapped')).data).toEqual({ event: 'news', data: 1 });
    // Once it has returned, the same send goes out.
    asideTo = undefined;
    await server.helper.sendToClient({ clientId: (connected as { id: string }).id, event: 'aside', data: 'after' });
    expect((await plain.next('aside')).data).toBe('after');
    expect(plain.received.map((message) => message.data)).not.toContain('in the middle');
  });
});

describe('the inbound transformer', () => {
  it('decodes frames from an encrypted client before dispatch, and closes with 4005 when it refuses one', async () => {
    const handled: unknown[] = [];
    server = track(await startTestServer({
      handshakeFn: keyedHandshake,
      outboundTransformer: wrap,
      inboundTransformer: ({ frame }) => {
        const text = typeof frame === 'string' ? frame : new TextDecoder().decode(frame);
        return text.startsWith('ok:') ? text.slice(3) : null;
      },
      messageHandler: ({ event, data }) => void handled.push({ event, data }),
    }));
    const { client } = await authenticateKeyed('alice');
    client.sendRaw(Buffer.from('ok:{"event":"chat","data":1}'), { binary: true });
    await expect.poll(() => handled).toEqual([{ event: 'chat', data: 1 }]);
    client.sendRaw('{"event":"chat","data":2}');
    expect((await client.closed).code).toBe(CloseCode.CRYPTO_FAILURE);
    expect(handled).toHaveLength(1);
    expect(server.helper.getMetrics().cryptoFailures).toBe(1);
  });
});

describe('enableClientEncryption', () => {
  /** Wraps every message with the tag of the client's session, so a test sees which session sealed it. */
  const sessionTagged: OutboundTransformer = ({ client, event, data }) => {
    const tag = (client.session as { tag?: string } | undefined)?.tag;
    return tag === undefined ? null : { event: 'wrapped', data: { tag, event, data } };
  };

  it('moves an open plaintext client to the transformer path with the session given', async () => {
    server = track(await startTestServer({ outboundTransformer: sessionTagged }));
    const { client, connected } = await TestClient.authenticated(server.url, { token: 'alice' });
    track(client);
    const disposed: string[] = [];
    expect(server.helper.enableClientEncryption({ clientId: connected.id, session: { tag: 'k1', dispose: () => disposed.push('k1') } as never })).toBe(true);
    await server.helper.sendToClient({ clientId: connected.id, event: 'news', data: 1 });
    expect((await client.next('wrapped')).data).toEqual({ tag: 'k1', event: 'news', data: 1 });
    expect(client.all('news')).toEqual([]);
    server.helper.enableClientEncryption({ clientId: connected.id, session: { tag: 'k2' } as never });
    expect(disposed).toEqual(['k1']);
  });

  it('refuses to mark a client encrypted without a session, which would drop everything sent to it', async () => {
    server = track(await startTestServer({ outboundTransformer: sessionTagged }));
    const { client, connected } = await TestClient.authenticated(server.url, { token: 'alice' });
    track(client);
    expect(() => server.helper.enableClientEncryption({ clientId: connected.id } as never)).toThrow(InvalidOptionsError);
    await server.helper.sendToClient({ clientId: connected.id, event: 'news', data: 'plain' });
    expect((await client.next('news')).data).toBe('plain');
  });

  it('answers false for a client that is not open', async () => {
    server = track(await startTestServer({ outboundTransformer: sessionTagged }));
    expect(server.helper.enableClientEncryption({ clientId: 'nobody', session: {} })).toBe(false);
  });
});
