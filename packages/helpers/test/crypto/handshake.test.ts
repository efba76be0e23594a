import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../src/crypto/bytes.ts';
import { createClientHello, completeClientHandshake } from '../../src/crypto/client-handshake.ts';
import type { CryptoProvider, RawKeyPair } from '../../src/crypto/crypto-provider.ts';
import type { ClientHelloWire, ServerHelloWire } from '../../src/crypto/handshake-messages.ts';
import { deriveTrafficKeys } from '../../src/crypto/key-schedule.ts';
import { NodeCryptoProvider } from '../../src/crypto/node-crypto-provider.ts';
import { InMemoryPinStore } from '../../src/crypto/pin-store.ts';
import { PortableCryptoProvider } from '../../src/crypto/portable-crypto-provider.ts';
import { ReplayGuard } from '../../src/crypto/replay-guard.ts';
import { Direction, SecureChannel } from '../../src/crypto/secure-channel.ts';
import { respondToClientHello } from '../../src/crypto/server-handshake.ts';
import { SecurityLevel } from '../../src/crypto/security-level.ts';
import { AeadSuite } from '../../src/crypto/aead-suite.ts';

const native = new NodeCryptoProvider();
const portable = new PortableCryptoProvider();
const NOW = 1_795_000_000_000;
const SKEW_MS = 60_000;
const LOW_ORDER_POINT = new Uint8Array(32);
LOW_ORDER_POINT[0] = 1;

interface Server {
  identity: RawKeyPair;
  replayGuard: ReplayGuard;
  clientKeyPins: InMemoryPinStore;
  acceptedLevels: SecurityLevel[];
}

function newServer(acceptedLevels: SecurityLevel[] = [SecurityLevel.ENCRYPTED]): Server {
  return {
    identity: native.ed25519KeyPair(),
    replayGuard: new ReplayGuard(2 * SKEW_MS, 1000),
    clientKeyPins: new InMemoryPinStore(),
    acceptedLevels,
  };
}

function respond(
  server: Server,
  hello: unknown,
  overrides: { nowMs?: number; userId?: string; clientId?: string; suites?: AeadSuite[] } = {},
) {
  return respondToClientHello({
    crypto: native,
    identity: server.identity,
    acceptedLevels: server.acceptedLevels,
    hello,
    clientId: overrides.clientId ?? 'conn-1',
    userId: overrides.userId ?? 'alice',
    nowMs: overrides.nowMs ?? NOW,
    maxClockSkewMs: SKEW_MS,
    replayGuard: server.replayGuard,
    clientKeyPins: server.clientKeyPins,
    suites: overrides.suites,
  });
}

/** Runs a whole handshake; `tamper` may rewrite either message in flight, as a network attacker could. */
async function handshake(options: {
  server?: Server;
  level?: SecurityLevel;
  clientCrypto?: CryptoProvider;
  clientIdentity?: RawKeyPair;
  expectedServerKey?: Uint8Array;
  pins?: InMemoryPinStore;
  tamperHello?: (hello: ClientHelloWire) => unknown;
  tamperReply?: (reply: ServerHelloWire) => unknown;
  offer?: AeadSuite[];
  serverSuites?: AeadSuite[];
} = {}) {
  const server = options.server ?? newServer();
  const clientCrypto = options.clientCrypto ?? native;
  const { hello, pending } = createClientHello({
    crypto: clientCrypto,
    level: options.level ?? SecurityLevel.ENCRYPTED,
    identity: options.clientIdentity ?? clientCrypto.ed25519KeyPair(),
    nowMs: NOW,
    suites: options.offer,
  });
  const sentHello = options.tamperHello ? options.tamperHello(structuredClone(hello)) : hello;
  const serverResult = await respond(server, sentHello, { suites: options.serverSuites });
  if (!serverResult.ok) return { server, serverResult, clientResult: undefined, hello, pending };
  const reply = options.tamperReply ? options.tamperReply(structuredClone(serverResult.reply)) : serverResult.reply;
  const clientResult = await completeClientHandshake({
    crypto: clientCrypto,
    pending,
    reply,
    clientId: 'conn-1',
    userId: 'alice',
    trust: { expected: options.expectedServerKey, pins: options.pins ?? new InMemoryPinStore(), pinName: 'wss://chat.example' },
    nowMs: NOW,
  });
  return { server, serverResult, clientResult, hello, pending };
}

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

async function opens(receiver: SecureChannel | undefined, frame: Uint8Array): Promise<boolean> {
  return (await receiver!.open(frame)).ok;
}

describe('handshake at the encrypted level', () => {
  it('gives both sides channels that talk to each other', async () => {
    const { serverResult, clientResult } = await handshake();
    expect(serverResult.ok && clientResult?.ok).toBe(true);
    if (!serverResult.ok || !clientResult?.ok) return;
    expect(await opens(serverResult.channel, await clientResult.channel!.seal(text('c2s'), NOW))).toBe(true);
    expect(await opens(clientResult.channel, await serverResult.channel!.seal(text('s2c'), NOW))).toBe(true);
  });

  it('works with the portable provider on the client and node:crypto on the server', async () => {
    const { serverResult, clientResult } = await handshake({ clientCrypto: portable });
    if (!serverResult.ok || !clientResult?.ok) throw new Error('handshake failed');
    expect(await opens(serverResult.channel, await clientResult.channel!.seal(text('from a browser'), NOW))).toBe(true);
  });

  it('uses fresh ephemeral keys on both sides for every connection', async () => {
    const server = newServer();
    const clientIdentity = native.ed25519KeyPair();
    const first = await handshake({ server, clientIdentity });
    const second = await handshake({ server, clientIdentity });
    if (!first.serverResult.ok || !second.serverResult.ok) throw new Error('handshake failed');
    expect(first.hello.e).not.toBe(second.hello.e);
    expect(first.serverResult.reply.e).not.toBe(second.serverResult.reply.e);
  });

  it('gives every connection its own keys: frames of one do not open in another', async () => {
    const server = newServer();
    const clientIdentity = native.ed25519KeyPair();
    const first = await handshake({ server, clientIdentity });
    const second = await handshake({ server, clientIdentity });
    if (!first.clientResult?.ok || !second.serverResult.ok) throw new Error('handshake failed');
    expect(await opens(second.serverResult.channel, await first.clientResult.channel!.seal(text('x'), NOW))).toBe(false);
  });

  it('zeroes both ephemeral secrets once the keys are derived', async () => {
    const { pending } = await handshake();
    expect(pending.ephemeral.secretKey.every((byte) => byte === 0)).toBe(true);
  });

  it('keeps a recorded session closed to whoever later steals the server identity key', async () => {
    const { server, hello, serverResult, clientResult } = await handshake();
    if (!serverResult.ok || !clientResult?.ok) throw new Error('handshake failed');
    const recorded = await clientResult.channel!.seal(text('secret'), NOW);
    // Everything an attacker has: the wire messages and the stolen long-term key.
    const stolen = server.identity.secretKey;
    const clientEphemeral = fromBase64(hello.e)!;
    const serverEphemeral = fromBase64(serverResult.reply.e!)!;
    for (const [secret, peer] of [
      [stolen, clientEphemeral],
      [stolen, serverEphemeral],
    ] as const) {
      const guessed = deriveTrafficKeys(native, secret, peer, native.randomBytes(32));
      const channel = new SecureChannel({
        crypto: native,
        sendDirection: Direction.SERVER_TO_CLIENT,
        sendKey: guessed.serverToClient,
        receiveKey: guessed.clientToServer,
        transcript: native.randomBytes(32),
        nowMs: NOW,
      });
      expect(await opens(channel, recorded)).toBe(false);
    }
  });
});

describe('AEAD suite negotiation', () => {
  it('picks ChaCha20-Poly1305 when both are offered, and both channels run it', async () => {
    const { serverResult, clientResult } = await handshake({ clientCrypto: portable });
    if (!serverResult.ok || !clientResult?.ok) throw new Error('handshake failed');
    expect(serverResult.reply.suite).toBe(AeadSuite.CHACHA20_POLY1305);
    expect(clientResult.suite).toBe(AeadSuite.CHACHA20_POLY1305);
    expect(await opens(serverResult.channel, await clientResult.channel!.seal(text('chacha'), NOW))).toBe(true);
  });

  it('runs AES-256-GCM with a client that offers only it', async () => {
    const { serverResult, clientResult } = await handshake({ offer: [AeadSuite.AES_256_GCM] });
    if (!serverResult.ok || !clientResult?.ok) throw new Error('handshake failed');
    expect(clientResult.suite).toBe(AeadSuite.AES_256_GCM);
    expect(await opens(clientResult.channel, await serverResult.channel!.seal(text('gcm'), NOW))).toBe(true);
  });

  it('refuses when client and server share no suite', async () => {
    const { serverResult } = await handshake({ offer: [AeadSuite.AES_256_GCM], serverSuites: [AeadSuite.CHACHA20_POLY1305] });
    expect(serverResult).toEqual({ ok: false, code: 'NO_COMMON_SUITE' });
  });

  it('refuses an offer rewritten in flight (the client proof covers it)', async () => {
    const { serverResult } = await handshake({ tamperHello: (hello) => ({ ...hello, suites: [AeadSuite.AES_256_GCM] }) });
    expect(serverResult).toEqual({ ok: false, code: 'BAD_PROOF' });
  });

  it('aborts when the chosen suite was rewritten in the reply (the signature covers it)', async () => {
    const { clientResult } = await handshake({ tamperReply: (reply) => ({ ...reply, suite: AeadSuite.AES_256_GCM }) });
    expect(clientResult).toEqual({ ok: false, code: 'BAD_SIGNATURE' });
  });

  it('aborts when the reply names a suite the client never offered', async () => {
    const { clientResult } = await handshake({
      offer: [AeadSuite.AES_256_GCM],
      tamperReply: (reply) => ({ ...reply, suite: AeadSuite.CHACHA20_POLY1305 }),
    });
    expect(clientResult).toEqual({ ok: false, code: 'DOWNGRADE' });
  });
});

describe('server authentication', () => {
  it('aborts when the server key differs from the configured one', async () => {
    const { clientResult } = await handshake({ expectedServerKey: native.ed25519KeyPair().publicKey });
    expect(clientResult).toEqual({ ok: false, code: 'SERVER_KEY_MISMATCH' });
  });

  it('pins the server key on first use and aborts when another server answers later', async () => {
    const pins = new InMemoryPinStore();
    expect((await handshake({ pins })).clientResult?.ok).toBe(true);
    expect((await handshake({ pins })).clientResult).toEqual({ ok: false, code: 'SERVER_KEY_MISMATCH' });
  });

  it('aborts when a man in the middle swaps in his own key and signs with it', async () => {
    const server = newServer();
    const mallory = native.ed25519KeyPair();
    const { clientResult } = await handshake({
      server,
      expectedServerKey: server.identity.publicKey,
      tamperReply: (reply) => ({ ...reply, id: toBase64(mallory.publicKey) }),
    });
    expect(clientResult).toEqual({ ok: false, code: 'SERVER_KEY_MISMATCH' });
  });

  it('leaves the pin store unchanged when the reply fails verification, so a forged reply poisons nothing', async () => {
    const pins = new InMemoryPinStore();
    const mallory = native.ed25519KeyPair();
    const forged = await handshake({ pins, tamperReply: (reply) => ({ ...reply, id: toBase64(mallory.publicKey) }) });
    expect(forged.clientResult).toEqual({ ok: false, code: 'BAD_SIGNATURE' });
    expect(pins.get('wss://chat.example')).toBeUndefined();
    const genuine = await handshake({ pins });
    expect(genuine.clientResult?.ok).toBe(true);
    expect(pins.get('wss://chat.example')).toBe(toBase64(genuine.server.identity.publicKey));
  });

  it('aborts when the signature does not cover the transcript', async () => {
    const { clientResult } = await handshake({
      tamperReply: (reply) => ({ ...reply, e: toBase64(native.x25519KeyPair().publicKey) }),
    });
    expect(clientResult).toEqual({ ok: false, code: 'BAD_SIGNATURE' });
  });
});

describe('no downgrade', () => {
  it('aborts when the reply grants less than the client asked for', async () => {
    const { clientResult } = await handshake({ tamperReply: (reply) => ({ ...reply, level: SecurityLevel.AUTHENTICATED }) });
    expect(clientResult).toEqual({ ok: false, code: 'DOWNGRADE' });
  });

  it('aborts when the reply carries no handshake at all', async () => {
    const { clientResult } = await handshake({ tamperReply: () => undefined });
    expect(clientResult).toEqual({ ok: false, code: 'MISSING_HANDSHAKE' });
  });

  it('refuses a hello whose level was lowered in flight (the client proof covers it)', async () => {
    const server = newServer([SecurityLevel.ENCRYPTED, SecurityLevel.AUTHENTICATED]);
    const { serverResult } = await handshake({ server, tamperHello: (hello) => ({ ...hello, level: SecurityLevel.AUTHENTICATED }) });
    expect(serverResult).toEqual({ ok: false, code: 'BAD_PROOF' });
  });

  it('aborts when the list of accepted levels was rewritten (the signature covers it)', async () => {
    const { clientResult } = await handshake({
      tamperReply: (reply) => ({ ...reply, accepted: [SecurityLevel.ENCRYPTED, SecurityLevel.NONE] }),
    });
    expect(clientResult).toEqual({ ok: false, code: 'BAD_SIGNATURE' });
  });

  it('refuses a client without a handshake when the server requires encryption', async () => {
    expect(await respond(newServer(), undefined)).toEqual({ ok: false, code: 'MISSING' });
  });

  it('refuses a level the server does not accept', async () => {
    const { serverResult } = await handshake({ level: SecurityLevel.AUTHENTICATED });
    expect(serverResult).toEqual({ ok: false, code: 'LEVEL_NOT_ACCEPTED' });
  });
});

describe('the authenticated level', () => {
  it('authenticates both sides and opens no channel', async () => {
    const server = newServer([SecurityLevel.AUTHENTICATED]);
    const { serverResult, clientResult } = await handshake({ server, level: SecurityLevel.AUTHENTICATED });
    expect(serverResult.ok && serverResult.channel).toBeUndefined();
    expect(clientResult).toMatchObject({ ok: true, level: SecurityLevel.AUTHENTICATED, channel: undefined });
  });

  it('pins the client identity per user and refuses another key for the same user', async () => {
    const server = newServer();
    expect((await handshake({ server })).serverResult.ok).toBe(true);
    expect((await handshake({ server })).serverResult).toEqual({ ok: false, code: 'CLIENT_KEY_MISMATCH' });
  });

  it('accepts the same client identity again', async () => {
    const server = newServer();
    const clientIdentity = native.ed25519KeyPair();
    expect((await handshake({ server, clientIdentity })).serverResult.ok).toBe(true);
    expect((await handshake({ server, clientIdentity })).serverResult.ok).toBe(true);
  });
});

describe('key validation and freshness', () => {
  it('refuses a low-order client ephemeral key before any derivation', async () => {
    const { serverResult } = await handshake({ tamperHello: (hello) => ({ ...hello, e: toBase64(LOW_ORDER_POINT) }) });
    expect(serverResult).toEqual({ ok: false, code: 'INVALID_KEY' });
  });

  it('refuses a client ephemeral key of the wrong length', async () => {
    const { serverResult } = await handshake({ tamperHello: (hello) => ({ ...hello, e: toBase64(new Uint8Array(31)) }) });
    expect(serverResult).toEqual({ ok: false, code: 'MALFORMED' });
  });

  it('aborts on a low-order server ephemeral key', async () => {
    const server = newServer();
    const { clientResult } = await handshake({
      server,
      expectedServerKey: server.identity.publicKey,
      tamperReply: (reply) => ({ ...reply, e: toBase64(LOW_ORDER_POINT) }),
    });
    expect(clientResult).toEqual({ ok: false, code: 'INVALID_KEY' });
  });

  it('refuses a replayed hello', async () => {
    const server = newServer();
    const { hello } = await handshake({ server });
    expect(await respond(server, hello, { clientId: 'conn-2' })).toEqual({ ok: false, code: 'REPLAYED' });
  });

  it('refuses a hello whose timestamp is outside the allowed skew', async () => {
    const server = newServer();
    const { hello } = createClientHello({ crypto: native, level: SecurityLevel.ENCRYPTED, identity: native.ed25519KeyPair(), nowMs: NOW });
    expect(await respond(server, hello, { nowMs: NOW + SKEW_MS + 1 })).toEqual({ ok: false, code: 'STALE' });
  });
});
