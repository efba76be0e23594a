import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CloseCode, ErrorCode, SecurityLevel, type AuthenticateFn, type CryptoProvider, type HandshakeFn } from '../../src/index.ts';
import { ClientFailureCode, PortableCryptoProvider, toBase64, type SealedClient } from '../../src/client/index.ts';
import { answerServerHello, createClientHello, fromBase64, InMemoryPinStore, type ClientFinishWire, type ClientHelloWire } from '../../src/crypto/index.ts';
import { tokenAuthenticate } from '../support/test-server.ts';
import { nodeCrypto, sdkClient, startSecureServer, type SecureTestServer } from '../support/secure-test-server.ts';

const providers: Array<[string, CryptoProvider]> = [
  ['node:crypto', nodeCrypto],
  ['noble+webcrypto', new PortableCryptoProvider()],
];
const SECRET_TOKEN = 'alice-secret-session-token';

const servers: SecureTestServer[] = [];
const clients: SealedClient[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const socket of sockets.splice(0)) socket.terminate();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** What reached the kit on the wire (every handshake message), and what the application's `authenticateFn` was given. */
interface Seen {
  wire: unknown[];
  app: unknown[];
}

/** A secure server whose handshake messages and `authenticateFn` calls are recorded. */
async function recordingServer(seen: Seen, options: Parameters<typeof startSecureServer>[0] = {}): Promise<SecureTestServer> {
  let recordingHandshake: HandshakeFn | undefined;
  const authenticateFn: AuthenticateFn = (context) => {
    seen.app.push(context.data);
    return tokenAuthenticate(context);
  };
  const server = await startSecureServer({
    ...options,
    authenticateFn: () => authenticateFn,
    server: {
      ...options.server,
      handshakeFn: (context) => recordingHandshake!(context),
    },
  });
  recordingHandshake = async (context) => {
    seen.wire.push(context.data);
    const step = await server.kit.handshakeFn(context);
    if (!step || !('finish' in step)) return step;
    return {
      ...step,
      finish: (data) => {
        seen.wire.push(data);
        return step.finish(data);
      },
    };
  };
  servers.push(server);
  return server;
}

/** The frames of one raw connection, and a way to wait for the next one or the close. */
interface RawConnection {
  socket: WebSocket;
  next(): Promise<{ event: string; data: any } | Uint8Array | number>;
}

async function openRaw(url: string): Promise<RawConnection> {
  const socket = new WebSocket(url);
  sockets.push(socket);
  const queue: Array<{ event: string; data: any } | Uint8Array | number> = [];
  const waiting: Array<(value: (typeof queue)[number]) => void> = [];
  const push = (value: (typeof queue)[number]): void => {
    const waiter = waiting.shift();
    if (waiter) waiter(value);
    else queue.push(value);
  };
  socket.on('message', (raw, isBinary) => push(isBinary ? new Uint8Array(raw as Buffer) : JSON.parse(String(raw))));
  socket.on('close', (code) => push(code));
  await new Promise((resolve) => socket.once('open', resolve));
  return {
    socket,
    next: () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((resolve) => waiting.push(resolve))),
  };
}

/** Waits past any `error` frame for the close code. */
async function closeCodeOf(connection: RawConnection): Promise<number> {
  for (;;) {
    const next = await connection.next();
    if (typeof next === 'number') return next;
  }
}

/**
 * Handshake v2 by hand on a raw socket: sends `authenticate` (made by
 * `authenticateData` from the hello), waits for the server hello, answers it
 * with a finish over `credentials`, rewritten by `tamperFinish` if given.
 */
async function rawHandshake(
  server: SecureTestServer,
  options: {
    credentials?: string;
    level?: SecurityLevel;
    nowMs?: number;
    authenticateData?: (hello: ClientHelloWire) => unknown;
    tamperFinish?: (finish: ClientFinishWire) => unknown;
  } = {},
) {
  const connection = await openRaw(server.url);
  const { hello, pending } = createClientHello({ crypto: nodeCrypto, level: options.level ?? SecurityLevel.ENCRYPTED, nowMs: options.nowMs ?? Date.now() });
  const authenticate = { event: 'authenticate', data: options.authenticateData ? options.authenticateData(hello) : { sealed: hello } };
  connection.socket.send(JSON.stringify(authenticate));
  const reply = await connection.next();
  if (typeof reply === 'number' || reply instanceof Uint8Array || reply.event !== 'sealed:handshake') return { connection, authenticate, reply };
  const answered = await answerServerHello({
    crypto: nodeCrypto,
    pending,
    reply: reply.data,
    identity: nodeCrypto.ed25519KeyPair(),
    credentials: new TextEncoder().encode(options.credentials ?? JSON.stringify({ token: SECRET_TOKEN })),
    trust: { expected: server.identity.publicKey, pins: new InMemoryPinStore(), pinName: 'raw' },
    nowMs: Date.now(),
  });
  if (!answered.ok) throw new Error(`the server hello did not verify: ${answered.code}`);
  const finish = { event: 'sealed:finish', data: options.tamperFinish ? options.tamperFinish(answered.finish) : answered.finish };
  connection.socket.send(JSON.stringify(finish));
  return { connection, authenticate, reply, finish, channel: answered.channel };
}

describe.each(providers)('the SDK with %s', (_name, crypto) => {
  it('sends its credentials only inside the finish, never in the clear, and the application gets exactly them', async () => {
    const seen: Seen = { wire: [], app: [] };
    const server = await recordingServer(seen);
    const client = sdkClient(server.url, SECRET_TOKEN, { crypto });
    clients.push(client);

    expect(await client.connect()).toMatchObject({ userId: SECRET_TOKEN, level: SecurityLevel.ENCRYPTED, credentialsSealed: true });
    expect(seen.wire).toHaveLength(2);
    expect(JSON.stringify(seen.wire)).not.toContain(SECRET_TOKEN);
    expect(seen.app).toEqual([{ token: SECRET_TOKEN }]);
  });
});

describe('credentials and the handshake', () => {
  it('never reveals them to a server with another identity key: the client stops at its hello', async () => {
    const seen: Seen = { wire: [], app: [] };
    const server = await recordingServer(seen);
    const client = sdkClient(server.url, SECRET_TOKEN, { serverKey: toBase64(nodeCrypto.ed25519KeyPair().publicKey) });
    clients.push(client);

    await expect(client.connect()).rejects.toMatchObject({ code: ClientFailureCode.SERVER_KEY_MISMATCH });
    await expect.poll(() => server.helper.getMetrics().connections).toBe(0);
    expect(seen.wire).toHaveLength(1);
    expect(JSON.stringify(seen.wire)).not.toContain(SECRET_TOKEN);
    expect(seen.app).toEqual([]);
  });

  it('runs authenticateFn only once the finish has verified: a hello alone leaves the client handshaking', async () => {
    const seen: Seen = { wire: [], app: [] };
    const server = await recordingServer(seen);
    const connection = await openRaw(server.url);
    const { hello } = createClientHello({ crypto: nodeCrypto, level: SecurityLevel.ENCRYPTED, nowMs: Date.now() });
    connection.socket.send(JSON.stringify({ event: 'authenticate', data: { sealed: hello } }));
    expect(await connection.next()).toMatchObject({ event: 'sealed:handshake' });
    expect(server.helper.getClients()[0]?.state).toBe('HANDSHAKING');
    expect(seen.app).toEqual([]);
  });

  it('refuses credentials sent beside the hello (an on-path proxy adding its own token), without calling the application', async () => {
    const seen: Seen = { wire: [], app: [] };
    const server = await recordingServer(seen);
    const { connection, reply } = await rawHandshake(server, { authenticateData: (hello) => ({ token: 'mallory', sealed: hello }) });
    expect(reply).toMatchObject({ event: 'error', data: { code: ErrorCode.ENCRYPTION_REQUIRED } });
    expect(await closeCodeOf(connection)).toBe(CloseCode.ENCRYPTION_REQUIRED);
    expect(seen.app).toEqual([]);
    expect(server.kit.getMetrics().handshakeRefusals).toEqual({ CLEAR_CREDENTIALS: 1 });
  });

  it('refuses a finish with one bit flipped, without calling the application', async () => {
    const seen: Seen = { wire: [], app: [] };
    const server = await recordingServer(seen);
    const { connection } = await rawHandshake(server, {
      tamperFinish: (finish) => {
        const box = fromBase64(finish.box)!;
        box[40]! ^= 1;
        return { box: toBase64(box) };
      },
    });
    expect(await closeCodeOf(connection)).toBe(CloseCode.ENCRYPTION_REQUIRED);
    expect(seen.app).toEqual([]);
    expect(server.kit.getMetrics().handshakeRefusals).toEqual({ BAD_FINISH: 1 });
  });

  it('refuses both client messages replayed to another instance with the same identity, while the victim stays connected', async () => {
    const seen: Seen = { wire: [], app: [] };
    const first = await recordingServer(seen);
    const victim = await rawHandshake(first);
    expect(victim.channel).toBeDefined();
    const connected = await victim.connection.next();
    expect(connected).toBeInstanceOf(Uint8Array);
    const opened = await victim.channel!.open(connected as Uint8Array);
    expect(opened.ok && JSON.parse(new TextDecoder().decode(opened.plaintext))).toMatchObject({ event: 'connected', data: { userId: SECRET_TOKEN } });

    const replayedSeen: Seen = { wire: [], app: [] };
    const second = await recordingServer(replayedSeen, { identity: first.identity });
    const attacker = await openRaw(second.url);
    attacker.socket.send(JSON.stringify(victim.authenticate));
    expect(await attacker.next()).toMatchObject({ event: 'sealed:handshake' });
    attacker.socket.send(JSON.stringify(victim.finish));
    expect(await closeCodeOf(attacker)).toBe(CloseCode.ENCRYPTION_REQUIRED);
    expect(replayedSeen.app).toEqual([]);
    expect(second.kit.getMetrics().handshakeRefusals).toEqual({ BAD_FINISH: 1 });
    expect(first.helper.getClientsByUser({ userId: SECRET_TOKEN })).toHaveLength(1);
  });

  it.each([
    ['not a JSON object', '"just a string"'],
    ['a __proto__ key', '{"token":"alice","__proto__":{"admin":true}}'],
    ['a nested constructor key', '{"token":"alice","profile":{"constructor":{"prototype":{}}}}'],
    ['nesting past the frame depth limit', `{"token":"alice","deep":${'['.repeat(40)}${']'.repeat(40)}}`],
  ])('refuses credentials that are %s, as the frame codec refuses them in the clear, without calling the application', async (_case, credentials) => {
    const seen: Seen = { wire: [], app: [] };
    const server = await recordingServer(seen);
    const { connection } = await rawHandshake(server, { credentials });
    expect(await closeCodeOf(connection)).toBe(CloseCode.ENCRYPTION_REQUIRED);
    expect(seen.app).toEqual([]);
    expect(server.kit.getMetrics().handshakeRefusals).toEqual({ MALFORMED_CREDENTIALS: 1 });
  });

  it('refuses a stale hello with 4004', async () => {
    const seen: Seen = { wire: [], app: [] };
    const server = await recordingServer(seen);
    const { connection, reply } = await rawHandshake(server, { nowMs: Date.now() - 2 * 120_000 });
    expect(reply).toMatchObject({ event: 'error', data: { code: ErrorCode.ENCRYPTION_REQUIRED } });
    expect(await closeCodeOf(connection)).toBe(CloseCode.ENCRYPTION_REQUIRED);
    expect(server.kit.getMetrics().handshakeRefusals).toEqual({ STALE: 1 });
  });
});

describe('the authenticated level on the wire', () => {
  it('refuses a client frame that is not protected, or that was changed, with 4005, while another client is served', async () => {
    const seen: Seen = { wire: [], app: [] };
    const server = await recordingServer(seen, { acceptedLevels: [SecurityLevel.AUTHENTICATED] });
    const bystander = sdkClient(server.url, 'bob', { level: SecurityLevel.AUTHENTICATED });
    clients.push(bystander);
    await bystander.connect();

    const injected = await rawHandshake(server, { level: SecurityLevel.AUTHENTICATED, credentials: '{"token":"carol"}' });
    expect(await injected.connection.next()).toBeInstanceOf(Uint8Array);
    injected.connection.socket.send(JSON.stringify({ event: 'join', data: { rooms: ['lobby'] } }));
    expect(await closeCodeOf(injected.connection)).toBe(CloseCode.CRYPTO_FAILURE);

    const changed = await rawHandshake(server, { level: SecurityLevel.AUTHENTICATED, credentials: '{"token":"dave"}' });
    expect(await changed.connection.next()).toBeInstanceOf(Uint8Array);
    const frame = (await changed.channel!.seal(new TextEncoder().encode('{"event":"join","data":{"rooms":["lobby"]}}'), Date.now())) as Uint8Array;
    frame[frame.indexOf('l'.charCodeAt(0), 14)]! ^= 0x20;
    changed.connection.socket.send(frame);
    expect(await closeCodeOf(changed.connection)).toBe(CloseCode.CRYPTO_FAILURE);

    expect(server.kit.getMetrics().framesRefused).toBe(1);
    expect(server.helper.getMetrics().cryptoFailures).toBe(2);
    expect((await bystander.join(['lobby'])).current).toEqual(['lobby']);
  });
});
