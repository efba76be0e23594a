import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  CloseCode,
  ErrorCode,
  InMemoryPinStore,
  SecurityLevel,
  type AuthenticateFn,
  type CryptoProvider,
  type SecureServerKit,
} from '../../src/index.ts';
import {
  ClientFailureCode,
  ClientLifecycleEvent,
  PortableCryptoProvider,
  toBase64,
  type SealedClient,
} from '../../src/client/index.ts';
import { createClientHello, openCredentials, sealCredentials } from '../../src/crypto/index.ts';
import { tokenAuthenticate } from '../support/test-server.ts';
import { nodeCrypto, sdkClient, startSecureServer, type SecureTestServer } from '../support/secure-test-server.ts';

const portable = new PortableCryptoProvider();
const providers: Array<[string, CryptoProvider]> = [
  ['node:crypto', nodeCrypto],
  ['noble+webcrypto', portable],
];
const SECRET_TOKEN = 'alice-secret-session-token';
const credentials = new TextEncoder().encode(JSON.stringify({ token: SECRET_TOKEN }));

/** A hello's ephemeral secret and proof, and the server identity it is sealed to. */
function helloFor(crypto: CryptoProvider) {
  const { pending } = createClientHello({ crypto, level: SecurityLevel.ENCRYPTED, identity: crypto.ed25519KeyPair(), nowMs: Date.now() });
  return { pending, server: nodeCrypto.ed25519KeyPair() };
}

describe.each(providers)('credentials sealed with %s', (_name, crypto) => {
  it('open on the server with its identity secret, and nowhere else', async () => {
    const { pending, server } = helloFor(crypto);
    const sealed = await sealCredentials({ crypto, ephemeralSecret: pending.ephemeral.secretKey, serverIdentity: server.publicKey, proof: pending.proof, credentials });
    expect(Buffer.from(sealed).includes(Buffer.from(SECRET_TOKEN))).toBe(false);
    const open = (identitySecret: Uint8Array, proof = pending.proof, bytes = sealed) =>
      openCredentials({ crypto: nodeCrypto, identitySecret, serverIdentity: server.publicKey, clientEphemeral: pending.ephemeral.publicKey, proof, sealed: bytes });

    expect(await open(nodeCrypto.ed25519SecretToX25519(server.secretKey))).toEqual(credentials);
    expect(await open(nodeCrypto.ed25519SecretToX25519(nodeCrypto.ed25519KeyPair().secretKey))).toBeUndefined();
  });

  it('are refused when bound to another hello or changed by one bit', async () => {
    const { pending, server } = helloFor(crypto);
    const sealed = await sealCredentials({ crypto, ephemeralSecret: pending.ephemeral.secretKey, serverIdentity: server.publicKey, proof: pending.proof, credentials });
    const identitySecret = nodeCrypto.ed25519SecretToX25519(server.secretKey);
    const open = (proof: Uint8Array, bytes: Uint8Array) =>
      openCredentials({ crypto: nodeCrypto, identitySecret, serverIdentity: server.publicKey, clientEphemeral: pending.ephemeral.publicKey, proof, sealed: bytes });

    const otherProof = pending.proof.slice();
    otherProof[otherProof.length - 1]! ^= 1;
    expect(await open(otherProof, sealed)).toBeUndefined();
    for (const at of [0, sealed.length - 1]) {
      const flipped = sealed.slice();
      flipped[at]! ^= 1;
      expect(await open(pending.proof, flipped)).toBeUndefined();
    }
  });
});

describe('openCredentials', () => {
  it('refuses a low-order client ephemeral key before any key agreement', async () => {
    const server = nodeCrypto.ed25519KeyPair();
    const opened = await openCredentials({
      crypto: nodeCrypto,
      identitySecret: nodeCrypto.ed25519SecretToX25519(server.secretKey),
      serverIdentity: server.publicKey,
      clientEphemeral: new Uint8Array(32),
      proof: new Uint8Array(8),
      sealed: new Uint8Array(32),
    });
    expect(opened).toBeUndefined();
  });
});

let server: SecureTestServer | undefined;
const clients: SealedClient[] = [];
const rawSockets: WebSocket[] = [];

function track(client: SealedClient): SealedClient {
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const socket of rawSockets.splice(0)) socket.terminate();
  await server?.close();
  server = undefined;
});

/** What reached the server on the wire, and what the application's `authenticateFn` was given. */
interface Seen {
  wire: unknown[];
  app: unknown[];
}

/** `kit.authenticateSealed(tokenAuthenticate)`, recording the `data` on both sides of it. */
function recordingAuthenticate(seen: Seen): (kit: SecureServerKit) => AuthenticateFn {
  return (kit) => {
    const app = kit.authenticateSealed((context) => {
      seen.app.push(context.data);
      return tokenAuthenticate(context);
    });
    return (context) => {
      seen.wire.push(context.data);
      return app(context);
    };
  };
}

describe('a client that seals its credentials to the server key', () => {
  it('sends no token in the clear when the key is configured, and the application still gets it', async () => {
    const seen: Seen = { wire: [], app: [] };
    server = await startSecureServer({ authenticateFn: recordingAuthenticate(seen) });
    const client = track(sdkClient(server.url, SECRET_TOKEN, { serverKey: toBase64(server.identity.publicKey), sealCredentials: true }));

    const info = await client.connect();

    expect(info).toMatchObject({ userId: SECRET_TOKEN, level: SecurityLevel.ENCRYPTED, credentialsSealed: true });
    expect(JSON.stringify(seen.wire)).not.toContain(SECRET_TOKEN);
    expect(seen.app).toEqual([expect.objectContaining({ token: SECRET_TOKEN })]);
    expect(server.kit.getMetrics()).toMatchObject({ sealedCredentialsOpened: 1, credentialsRefused: 0 });
  });

  it('sends them in the clear on first use, then sealed to the key it pinned', async () => {
    const seen: Seen = { wire: [], app: [] };
    server = await startSecureServer({ authenticateFn: recordingAuthenticate(seen) });
    // The same device twice: its pins, and the identity the server pinned for the user.
    const device = { pins: new InMemoryPinStore(), identity: nodeCrypto.ed25519KeyPair(), sealCredentials: true };

    const first = track(sdkClient(server.url, SECRET_TOKEN, device));
    expect((await first.connect()).credentialsSealed).toBe(false);
    first.close();
    const second = track(sdkClient(server.url, SECRET_TOKEN, device));
    expect((await second.connect()).credentialsSealed).toBe(true);

    expect(JSON.stringify(seen.wire[0])).toContain(SECRET_TOKEN);
    expect(JSON.stringify(seen.wire[1])).not.toContain(SECRET_TOKEN);
    expect(seen.app).toHaveLength(2);
  });

  it('never reveals them to a server with another identity key: it cannot open them', async () => {
    const genuine = nodeCrypto.ed25519KeyPair();
    const seen: Seen = { wire: [], app: [] };
    server = await startSecureServer({ authenticateFn: recordingAuthenticate(seen) });
    const client = track(sdkClient(server.url, SECRET_TOKEN, { serverKey: toBase64(genuine.publicKey), sealCredentials: true }));
    const failures: unknown[] = [];
    client.on(ClientLifecycleEvent.FAILURE, (failure) => failures.push(failure));

    await expect(client.connect()).rejects.toMatchObject({ code: ClientFailureCode.SEALED_CREDENTIALS_REFUSED });
    expect(failures).toEqual([{ code: ClientFailureCode.SEALED_CREDENTIALS_REFUSED, message: expect.any(String) }]);

    expect(seen.wire).toHaveLength(1);
    expect(JSON.stringify(seen.wire)).not.toContain(SECRET_TOKEN);
    expect(seen.app).toEqual([]);
    expect(server.kit.getMetrics()).toMatchObject({ sealedCredentialsOpened: 0, credentialsRefused: 1 });
  });
});

describe('a client configured with a server key that is not a point', () => {
  it('gives up with HANDSHAKE_FAILED and sends nothing', async () => {
    const seen: Seen = { wire: [], app: [] };
    server = await startSecureServer({ authenticateFn: recordingAuthenticate(seen) });
    const notAPoint = toBase64(Uint8Array.of(2, ...new Uint8Array(31)));
    const client = track(sdkClient(server.url, SECRET_TOKEN, { serverKey: notAPoint, sealCredentials: true }));

    await expect(client.connect()).rejects.toMatchObject({ code: ClientFailureCode.HANDSHAKE_FAILED });
    // Once the server has seen the socket go, it has seen everything sent on it.
    await expect.poll(() => server!.helper.getMetrics().connections).toBe(0);
    expect(server.helper.getMetrics().connectionsAccepted).toBe(1);
    expect(seen.wire).toEqual([]);
  });
});

describe('kit.authenticateSealed', () => {
  /** Sends one `authenticate` whose hello carries `plaintext` sealed to the server key; resolves with the first answer's event, or the close code. */
  async function authenticateWith(plaintext: string, nowMs = Date.now()): Promise<string | number> {
    const { hello, pending } = createClientHello({ crypto: nodeCrypto, level: SecurityLevel.ENCRYPTED, identity: nodeCrypto.ed25519KeyPair(), nowMs });
    const sealed = await sealCredentials({
      crypto: nodeCrypto,
      ephemeralSecret: pending.ephemeral.secretKey,
      serverIdentity: server!.identity.publicKey,
      proof: pending.proof,
      credentials: new TextEncoder().encode(plaintext),
    });
    const socket = new WebSocket(server!.url);
    rawSockets.push(socket);
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ event: 'authenticate', data: { token: 'in-the-clear', sealed: { ...hello, c: toBase64(sealed) } } }));
    return new Promise((resolve) => {
      socket.once('message', (raw) => {
        const { event } = JSON.parse(String(raw)) as { event: string };
        if (event !== 'error') resolve(event);
      });
      socket.once('close', resolve);
    });
  }

  it('refuses sealed credentials that are not a JSON object, without calling the application', async () => {
    const seen: Seen = { wire: [], app: [] };
    server = await startSecureServer({ authenticateFn: recordingAuthenticate(seen) });
    expect(await authenticateWith('"just a string"')).toBe(CloseCode.AUTH_FAILED);
    expect(seen.app).toEqual([]);
  });

  it.each([
    ['a __proto__ key', '{"token":"alice","__proto__":{"admin":true}}'],
    ['a nested constructor key', '{"token":"alice","profile":{"constructor":{"prototype":{}}}}'],
    ['nesting past the frame depth limit', `{"token":"alice","deep":${'['.repeat(40)}${']'.repeat(40)}}`],
  ])('refuses sealed credentials with %s, as the frame codec refuses them in the clear', async (_case, plaintext) => {
    const seen: Seen = { wire: [], app: [] };
    server = await startSecureServer({ authenticateFn: recordingAuthenticate(seen) });
    expect(await authenticateWith(plaintext)).toBe(CloseCode.AUTH_FAILED);
    expect(seen.app).toEqual([]);
    expect(server.kit.getMetrics().credentialsRefused).toBe(1);
  });

  it('refuses a stale hello before opening its credentials', async () => {
    const seen: Seen = { wire: [], app: [] };
    server = await startSecureServer({ authenticateFn: recordingAuthenticate(seen) });
    const staleMs = Date.now() - 2 * 120_000;
    expect(await authenticateWith(JSON.stringify({ token: SECRET_TOKEN }), staleMs)).toBe(CloseCode.AUTH_FAILED);
    expect(seen.app).toEqual([]);
  });

  it('ignores credentials sent in the clear beside sealed ones', async () => {
    const seen: Seen = { wire: [], app: [] };
    server = await startSecureServer({ authenticateFn: recordingAuthenticate(seen) });
    expect(await authenticateWith(JSON.stringify({ token: SECRET_TOKEN }))).toBe('connected');
    expect(seen.app).toEqual([expect.objectContaining({ token: SECRET_TOKEN })]);
  });
});

describe('a server that requires sealed credentials', () => {
  it('refuses a client that sends them in the clear with AUTH_FAILED and 4003, and serves a sealing one', async () => {
    const seen: Seen = { wire: [], app: [] };
    server = await startSecureServer({ kit: { requireSealedCredentials: true }, authenticateFn: recordingAuthenticate(seen) });
    const errors: Array<{ code: string }> = [];
    const inClear = track(sdkClient(server.url, 'mallory'));
    inClear.on('error', (error: { code: string }) => errors.push(error));
    const closed = new Promise<number>((resolve) => inClear.on('sealed:close', ({ code }: { code: number }) => resolve(code)));

    await expect(inClear.connect()).rejects.toMatchObject({ code: ClientFailureCode.AUTH_FAILED });
    expect(await closed).toBe(CloseCode.AUTH_FAILED);
    expect(errors).toEqual([expect.objectContaining({ code: ErrorCode.AUTH_FAILED })]);

    const sealing = track(sdkClient(server.url, SECRET_TOKEN, { serverKey: toBase64(server.identity.publicKey), sealCredentials: true }));
    expect((await sealing.connect()).userId).toBe(SECRET_TOKEN);
    expect(seen.app).toHaveLength(1);
  });
});
