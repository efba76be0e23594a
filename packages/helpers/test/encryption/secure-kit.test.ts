import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode, SecureSession, SlowConsumerPolicy, SecurityLevel, InMemoryPinStore } from '../../src/index.ts';
import { sessionChannel } from '../../src/kit/secure-session.ts';
import {
  ClientFailureCode,
  ClientLifecycleEvent,
  SealedClientState,
  toBase64,
  type SealedClient,
} from '../../src/client/index.ts';
import {
  interceptedWebSocket,
  nodeCrypto,
  sdkClient,
  startSecureServer,
  type SecureTestServer,
} from '../support/secure-test-server.ts';

let server: SecureTestServer | undefined;
const clients: SealedClient[] = [];

function track(client: SealedClient): SealedClient {
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

function closeCodeOf(client: SealedClient): Promise<number> {
  return new Promise((resolve) => client.on(ClientLifecycleEvent.CLOSE, ({ code }: { code: number }) => resolve(code)));
}


describe('an encrypted chat over the default secure channel', () => {
  it('delivers room messages to 50 encrypted clients, with encryptedBatchLimit observed', async () => {
    const limit = 5;
    server = await startSecureServer({ server: { encryptedBatchLimit: limit } });
    const members = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const client = track(sdkClient(server!.url, `user-${i}`));
        await client.connect();
        await client.join(['lobby']);
        return client;
      }),
    );
    const received = members.map((member) => new Promise((resolve) => member.on('chat', resolve)));
    const report = await server.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { text: 'hello everyone' } });
    expect(report).toEqual({ recipients: 50, delivered: 50, dropped: 0 });
    expect(await Promise.all(received)).toEqual(Array.from({ length: 50 }, () => ({ text: 'hello everyone' })));
    expect(server.helper.getMetrics().transformsPeak).toBeLessThanOrEqual(limit);
  });

  it('opens at the encrypted level, reports the server fingerprint, and carries messages both ways', async () => {
    const handled: unknown[] = [];
    server = await startSecureServer({
      server: {
        messageHandler: async ({ clientId, event, data }) => {
          handled.push({ event, data });
          await server!.helper.sendToClient({ clientId, event: 'echo', data });
        },
      },
    });
    const client = track(sdkClient(server.url, 'alice'));
    const info = await client.connect();
    expect(info.level).toBe(SecurityLevel.ENCRYPTED);
    expect(info.serverFingerprint).toBe(server.kit.identityFingerprint);
    const echoed = new Promise((resolve) => client.on('echo', resolve));
    await client.emit('chat', { text: 'secret' });
    expect(await echoed).toEqual({ text: 'secret' });
    expect(handled).toEqual([{ event: 'chat', data: { text: 'secret' } }]);
  });

  it('hands application code a session that holds no resumption secret to read or log, and no channel to seal or close with', async () => {
    server = await startSecureServer({
      server: { messageHandler: ({ clientId, data }) => void server!.helper.sendToClient({ clientId, event: 'echo', data }) },
    });
    const client = track(sdkClient(server.url, 'alice'));
    const info = await client.connect();
    const session = server.helper.getClient({ clientId: info.clientId })?.session;
    expect(SecureSession.of(session)).toBeDefined();
    expect('resumptionSecret' in session!).toBe(false);
    expect(Object.keys(session!)).not.toContain('resumptionSecret');
    expect('channel' in session!).toBe(false);
    expect(Object.keys(session!)).not.toContain('channel');
    // The kit's own transformers still seal with it.
    expect(sessionChannel(session)).toBeDefined();
    const echoed = new Promise((resolve) => client.on('echo', resolve));
    await client.emit('chat', 'still sealed');
    expect(await echoed).toBe('still sealed');
    // Its ticket was still issued: the ticket's secret is derived inside the session.
    await expect.poll(() => server!.kit.getMetrics().ticketsIssued).toBeGreaterThan(0);
  });

  it('puts only ciphertext on the wire in both directions', async () => {
    server = await startSecureServer({
      server: { messageHandler: ({ clientId, data }) => void server!.helper.sendToClient({ clientId, event: 'echo', data }) },
    });
    const wire = interceptedWebSocket();
    const client = track(sdkClient(server.url, 'alice', { WebSocket: wire.WebSocket }));
    await client.connect();
    const echoed = new Promise((resolve) => client.on('echo', resolve));
    await client.emit('chat', 'the-plaintext-marker');
    await echoed;
    const marker = Buffer.from('the-plaintext-marker');
    expect(wire.sent.length).toBeGreaterThan(0);
    expect(wire.received.length).toBeGreaterThan(0);
    for (const frame of [...wire.sent, ...wire.received]) expect(Buffer.from(frame).includes(marker)).toBe(false);
  });
});

describe('closing an encrypted client', () => {
  it('delivers what was sent to it in the same turn before the close frame', async () => {
    server = await startSecureServer();
    const client = track(sdkClient(server.url, 'leaving'));
    const { clientId } = await client.connect();
    const lastWords = new Promise((resolve) => client.on('last-words', resolve));
    const closed = closeCodeOf(client);
    const sent = server.helper.sendToClient({ clientId, event: 'last-words', data: 'goodbye' });
    server.helper.disconnect({ clientId, code: CloseCode.NORMAL, reason: 'done' });
    expect(await sent).toEqual({ recipients: 1, delivered: 1, dropped: 0 });
    expect(await lastWords).toBe('goodbye');
    expect(await closed).toBe(CloseCode.NORMAL);
  });
});

describe('a slow encrypted consumer', () => {
  it('loses only the messages dropped for it: its channel goes on without a gap', async () => {
    server = await startSecureServer({ server: { maxBufferedBytes: 64 * 1024, slowConsumerPolicy: SlowConsumerPolicy.DROP } });
    const interception = interceptedWebSocket();
    const client = track(sdkClient(server.url, 'slow', { WebSocket: interception.WebSocket }));
    const { clientId } = await client.connect();
    const received: number[] = [];
    client.on('bulk', ({ n }: { n: number }) => received.push(n));
    interception.socket!.pause();
    const payload = 'x'.repeat(16 * 1024);
    let sent = 0;
    while (server.helper.getMetrics().slowConsumerDrops === 0 && sent < 2_000) {
      await server.helper.sendToClient({ clientId, event: 'bulk', data: { n: sent, payload } });
      sent += 1;
    }
    expect(server.helper.getMetrics().slowConsumerDrops).toBe(1);
    interception.socket!.resume();
    await expect.poll(() => received.length, { timeout: 5_000 }).toBe(sent - 1);
    const after = new Promise((resolve) => client.on('after', resolve));
    expect(await server.helper.sendToClient({ clientId, event: 'after', data: 'still encrypted' })).toEqual({ recipients: 1, delivered: 1, dropped: 0 });
    expect(await after).toBe('still encrypted');
    expect(received).toEqual(Array.from({ length: sent - 1 }, (_, n) => n));
    expect(client.state).toBe(SealedClientState.OPEN);
  });
});

describe('frames an attacker tampers with', () => {
  async function connectIntercepted(
    user = 'alice',
  ): Promise<{ client: SealedClient; wire: ReturnType<typeof interceptedWebSocket>; clientId: string }> {
    const wire = interceptedWebSocket();
    const client = track(sdkClient(server!.url, user, { WebSocket: wire.WebSocket }));
    const { clientId } = await client.connect();
    return { client, wire, clientId };
  }

  it('closes the connection with 4005 on a flipped bit', async () => {
    server = await startSecureServer();
    const { client, wire } = await connectIntercepted();
    const closed = closeCodeOf(client);
    wire.rewrite = (frame) => {
      frame[frame.length - 1]! ^= 1;
      return [frame];
    };
    await client.emit('chat', 'x');
    expect(await closed).toBe(CloseCode.CRYPTO_FAILURE);
    expect(server.helper.getMetrics().cryptoFailures).toBe(1);
    expect(server.kit.getMetrics()).toMatchObject({ handshakesCompleted: 1, framesRefused: 1 });
  });

  it('closes the connection with 4005 on a replayed frame', async () => {
    const handled: unknown[] = [];
    server = await startSecureServer({ server: { messageHandler: ({ data }) => void handled.push(data) } });
    const { client, wire } = await connectIntercepted();
    const closed = closeCodeOf(client);
    wire.rewrite = (frame) => [frame, frame];
    await client.emit('chat', 'once');
    expect(await closed).toBe(CloseCode.CRYPTO_FAILURE);
    expect(handled).toEqual(['once']);
  });

  it('closes the connection with 4005 on reordered frames', async () => {
    const handled: unknown[] = [];
    server = await startSecureServer({ server: { messageHandler: ({ data }) => void handled.push(data) } });
    const { client, wire } = await connectIntercepted();
    const closed = closeCodeOf(client);
    let held: Uint8Array | undefined;
    wire.rewrite = (frame) => {
      if (!held) {
        held = frame;
        return [];
      }
      return [frame, held];
    };
    await client.emit('chat', 'first');
    await client.emit('chat', 'second');
    expect(await closed).toBe(CloseCode.CRYPTO_FAILURE);
    expect(handled).toEqual([]);
  });

  it('closes the connection with 4005 when a server frame is reflected back to it', async () => {
    server = await startSecureServer({
      server: { messageHandler: ({ clientId }) => void server!.helper.sendToClient({ clientId, event: 'echo', data: 1 }) },
    });
    const { client, wire } = await connectIntercepted();
    const echoed = new Promise((resolve) => client.on('echo', resolve));
    await client.emit('ping');
    await echoed;
    const closed = closeCodeOf(client);
    wire.socket!.send(wire.received[0]!);
    expect(await closed).toBe(CloseCode.CRYPTO_FAILURE);
  });

  it('closes the connection with 4005 on a frame taken from another connection', async () => {
    server = await startSecureServer();
    const first = await connectIntercepted();
    await first.client.emit('chat', 'for the first connection');
    const second = await connectIntercepted('bob');
    const closed = closeCodeOf(second.client);
    second.wire.socket!.send(first.wire.sent[0]!);
    expect(await closed).toBe(CloseCode.CRYPTO_FAILURE);
  });

  it('closes the connection with 4005 on a plaintext frame after the handshake', async () => {
    server = await startSecureServer({ server: { messageHandler: () => { throw new Error('must not be reached'); } } });
    const { client, wire } = await connectIntercepted();
    const closed = closeCodeOf(client);
    wire.socket!.send(JSON.stringify({ event: 'chat', data: 'downgraded' }));
    expect(await closed).toBe(CloseCode.CRYPTO_FAILURE);
  });
});

describe('a client facing a misbehaving server', () => {
  /** Puts a text frame on the client's socket as if the server (or anyone on the path) had sent it. */
  function inject(wire: ReturnType<typeof interceptedWebSocket>, frame: string | Buffer): void {
    wire.socket!.emit('message', Buffer.from(frame), typeof frame !== 'string');
  }

  it('aborts when a plaintext frame arrives on the encrypted connection', async () => {
    server = await startSecureServer();
    const wire = interceptedWebSocket();
    const client = track(sdkClient(server.url, 'alice', { WebSocket: wire.WebSocket }));
    await client.connect();
    const heard: unknown[] = [];
    client.on('chat', (data) => heard.push(data));
    const failure = new Promise((resolve) => client.on(ClientLifecycleEvent.FAILURE, resolve));
    const closed = closeCodeOf(client);
    inject(wire, JSON.stringify({ event: 'chat', data: 'injected' }));
    expect(await failure).toMatchObject({ code: ClientFailureCode.CRYPTO_FAILURE });
    expect(await closed).toBe(CloseCode.CRYPTO_FAILURE);
    expect(heard).toEqual([]);
  });

  it('aborts when a server frame is altered in flight', async () => {
    server = await startSecureServer();
    const wire = interceptedWebSocket();
    const client = track(sdkClient(server.url, 'alice', { WebSocket: wire.WebSocket }));
    await client.connect();
    const heard: unknown[] = [];
    client.on('chat', (data) => heard.push(data));
    const closed = closeCodeOf(client);
    const forged = Buffer.alloc(64, 1);
    forged[0] = 1;
    forged[1] = 2;
    inject(wire, forged);
    expect(await closed).toBe(CloseCode.CRYPTO_FAILURE);
    expect(heard).toEqual([]);
  });
});

describe('server authentication', () => {
  it('aborts when the server key differs from the configured one', async () => {
    server = await startSecureServer();
    const client = track(sdkClient(server.url, 'alice', { serverKey: toBase64(nodeCrypto.ed25519KeyPair().publicKey) }));
    await expect(client.connect()).rejects.toMatchObject({ code: ClientFailureCode.SERVER_KEY_MISMATCH });
    await expect.poll(() => server!.helper.getClients().length).toBe(0);
  });

  it('connects when the configured key is the server\'s', async () => {
    server = await startSecureServer();
    const client = track(sdkClient(server.url, 'alice', { serverKey: toBase64(server.identity.publicKey) }));
    await expect(client.connect()).resolves.toMatchObject({ level: SecurityLevel.ENCRYPTED });
  });

  it('aborts when another server answers after the key was pinned', async () => {
    const pins = new InMemoryPinStore();
    server = await startSecureServer();
    const first = track(sdkClient(server.url, 'alice', { pins, pinName: 'chat.example' }));
    await first.connect();
    first.close();
    await server.close();
    server = await startSecureServer();
    const second = track(sdkClient(server.url, 'alice', { pins, pinName: 'chat.example' }));
    const failures: unknown[] = [];
    second.on(ClientLifecycleEvent.FAILURE, (failure) => failures.push(failure));
    await expect(second.connect()).rejects.toMatchObject({ code: ClientFailureCode.SERVER_KEY_MISMATCH });
    expect(failures).toEqual([{ code: ClientFailureCode.SERVER_KEY_MISMATCH, message: expect.any(String) }]);
  });
});

describe('client key pins', () => {
  it('refuses a new user once an in-memory pin store holds maxPins, keeps every pin, and still admits the users pinned', async () => {
    const clientKeyPins = new InMemoryPinStore(2);
    server = await startSecureServer({ kit: { clientKeyPins } });
    const alice = track(sdkClient(server.url, 'alice'));
    const bob = track(sdkClient(server.url, 'bob'));
    await alice.connect();
    await bob.connect();
    const carol = track(sdkClient(server.url, 'carol'));
    const closed = closeCodeOf(carol);
    await expect(carol.connect()).rejects.toMatchObject({ code: ClientFailureCode.REFUSED });
    expect(await closed).toBe(CloseCode.ENCRYPTION_REQUIRED);
    expect(server.kit.getMetrics().handshakeRefusals).toEqual({ PIN_STORE_FULL: 1 });
    expect(clientKeyPins.size).toBe(2);
    alice.close();
    const aliceAgain = track(sdkClient(server.url, 'alice'));
    // Another key for alice is still refused: her pin was not forgotten to make room.
    await expect(aliceAgain.connect()).rejects.toMatchObject({ code: ClientFailureCode.CLIENT_KEY_MISMATCH });
    expect(server.kit.getMetrics().handshakeRefusals).toEqual({ PIN_STORE_FULL: 1, CLIENT_KEY_MISMATCH: 1 });
    await expect(bob.emit('still-here', {})).resolves.toBeUndefined();
  });
});

describe('a second device of a pinned user', () => {
  it('is told CLIENT_KEY_MISMATCH, then closed with 4004, while the first device stays connected', async () => {
    server = await startSecureServer();
    const first = track(sdkClient(server.url, 'alice'));
    await first.connect();
    const second = track(sdkClient(server.url, 'alice'));
    const errors: unknown[] = [];
    second.on('error', (error) => errors.push(error));
    const closed = closeCodeOf(second);
    await expect(second.connect()).rejects.toMatchObject({ code: ClientFailureCode.CLIENT_KEY_MISMATCH });
    expect(await closed).toBe(CloseCode.ENCRYPTION_REQUIRED);
    expect(errors).toEqual([{ code: ErrorCode.CLIENT_KEY_MISMATCH, message: expect.stringContaining('another client identity key') }]);
    expect(server.kit.getMetrics().handshakeRefusals).toEqual({ CLIENT_KEY_MISMATCH: 1 });
    await expect(first.emit('still-here', {})).resolves.toBeUndefined();
  });

  it('is refused without a reason when the pin store is full, as for any other handshake refusal', async () => {
    server = await startSecureServer({ kit: { clientKeyPins: new InMemoryPinStore(1) } });
    await track(sdkClient(server.url, 'alice')).connect();
    const bob = track(sdkClient(server.url, 'bob'));
    const errors: unknown[] = [];
    bob.on('error', (error) => errors.push(error));
    await expect(bob.connect()).rejects.toMatchObject({ code: ClientFailureCode.REFUSED });
    expect(errors).toEqual([{ code: ErrorCode.ENCRYPTION_REQUIRED, message: 'Encryption handshake failed' }]);
  });
});

describe('no downgrade', () => {
  it('refuses a client that sends no key material with 4004', async () => {
    server = await startSecureServer();
    const client = track(sdkClient(server.url, 'alice', { level: SecurityLevel.NONE }));
    const closed = closeCodeOf(client);
    await expect(client.connect()).rejects.toMatchObject({ code: ClientFailureCode.REFUSED });
    expect(await closed).toBe(CloseCode.ENCRYPTION_REQUIRED);
    expect(server.kit.getMetrics()).toMatchObject({ handshakesCompleted: 0, handshakeRefusals: { MISSING: 1 } });
  });

  it('aborts when a client that asked for encryption is answered without a handshake', async () => {
    // A server without the handshake that lets anyone in: it answers the hello with a plaintext `connected`.
    server = await startSecureServer({ server: { handshakeFn: undefined, requireEncryption: false, authenticateFn: () => ({ userId: 'alice' }) } });
    const client = track(sdkClient(server.url, 'alice'));
    const closed = closeCodeOf(client);
    await expect(client.connect()).rejects.toMatchObject({ code: ClientFailureCode.DOWNGRADE });
    expect(await closed).toBe(CloseCode.ENCRYPTION_REQUIRED);
  });

  it('refuses a level the server does not accept rather than granting a lower one', async () => {
    server = await startSecureServer({ acceptedLevels: [SecurityLevel.AUTHENTICATED] });
    const client = track(sdkClient(server.url, 'alice', { level: SecurityLevel.ENCRYPTED }));
    const closed = closeCodeOf(client);
    await expect(client.connect()).rejects.toMatchObject({ code: ClientFailureCode.REFUSED, message: "Encryption handshake failed" });
    expect(client.connection).toBeUndefined();
    expect(await closed).toBe(CloseCode.ENCRYPTION_REQUIRED);
  });
});

describe('the authenticated level', () => {
  it('authenticates the server, pins the client key, and carries plaintext frames', async () => {
    server = await startSecureServer({
      acceptedLevels: [SecurityLevel.AUTHENTICATED],
      server: { messageHandler: ({ clientId, data }) => void server!.helper.sendToClient({ clientId, event: 'echo', data }) },
    });
    const client = track(sdkClient(server.url, 'alice', { level: SecurityLevel.AUTHENTICATED }));
    const info = await client.connect();
    expect(info).toMatchObject({ level: SecurityLevel.AUTHENTICATED, serverFingerprint: server.kit.identityFingerprint });
    const echoed = new Promise((resolve) => client.on('echo', resolve));
    await client.emit('chat', 'hi');
    expect(await echoed).toBe('hi');
    expect(server.helper.getClient({ clientId: info.clientId })?.encrypted).toBe(false);
  });
});

describe('rekeying', () => {
  it('replaces the keys by message count in both directions while traffic continues', async () => {
    const rekey = { afterMessages: 3, afterMs: 60 * 60 * 1000 };
    server = await startSecureServer({
      rekey,
      server: { messageHandler: ({ clientId, data }) => void server!.helper.sendToClient({ clientId, event: 'echo', data }) },
    });
    const client = track(sdkClient(server.url, 'alice', { rekey }));
    const { clientId } = await client.connect();
    const echoes: unknown[] = [];
    client.on('echo', (data) => echoes.push(data));
    for (let n = 0; n < 20; n += 1) await client.emit('chat', n);
    await expect.poll(() => echoes.length).toBe(20);
    expect(echoes).toEqual(Array.from({ length: 20 }, (_, n) => n));
    const channel = sessionChannel(server.helper.getClient({ clientId })?.session);
    expect(channel?.epochs.send).toBeGreaterThanOrEqual(6);
    expect(channel?.epochs.receive).toBeGreaterThanOrEqual(6);
    expect(server.kit.getMetrics().rekeys).toBe(channel!.epochs.send + channel!.epochs.receive);
  });
});

describe('reconnecting', () => {
  it('reconnects after a server restart with a fresh handshake and rejoins its rooms', async () => {
    server = await startSecureServer();
    const { identity, port } = server;
    const client = track(sdkClient(server.url, 'alice', { reconnect: { enabled: true, initialDelayMs: 20, maxDelayMs: 100 } }));
    const first = await client.connect();
    await client.join(['lobby']);
    const reopened = new Promise<{ clientId: string }>((resolve) => {
      let opens = 0;
      client.on(ClientLifecycleEvent.OPEN, (info: { clientId: string }) => {
        opens += 1;
        if (opens === 2) resolve(info);
      });
    });
    await server.close();
    server = await startSecureServer({ identity, server: {}, port });
    const second = await reopened;
    expect(second.clientId).not.toBe(first.clientId);
    await expect.poll(() => server!.helper.getClientsByRoom({ room: 'lobby' }).length).toBe(1);
    const received = new Promise((resolve) => client.on('news', resolve));
    await server.helper.sendToRoom({ room: 'lobby', event: 'news', data: 'back' });
    expect(await received).toBe('back');
  });
});
