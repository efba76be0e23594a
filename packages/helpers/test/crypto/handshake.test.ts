import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64, utf8Encode } from '../../src/crypto/bytes.ts';
import { answerServerHello, createClientHello } from '../../src/crypto/client-handshake.ts';
import type { CryptoProvider, RawKeyPair } from '../../src/crypto/crypto-provider.ts';
import type { ClientFinishWire, ClientHelloWire, ServerHelloWire } from '../../src/crypto/handshake-messages.ts';
import { deriveTrafficKeys } from '../../src/crypto/key-schedule.ts';
import { NodeCryptoProvider } from '../../src/crypto/node-crypto-provider.ts';
import { InMemoryPinStore } from '../../src/crypto/pin-store.ts';
import { PortableCryptoProvider } from '../../src/crypto/portable-crypto-provider.ts';
import { InMemoryReplayStore, type ReplayStore } from '../../src/crypto/replay-store.ts';
import { Direction, FrameKind, SecureChannel } from '../../src/crypto/secure-channel.ts';
import { finishServerHandshake, respondToClientHello } from '../../src/crypto/server-handshake.ts';
import { SecurityLevel } from '../../src/crypto/security-level.ts';
import { AeadSuite } from '../../src/crypto/aead-suite.ts';

const native = new NodeCryptoProvider();
const portable = new PortableCryptoProvider();
const NOW = 1_795_000_000_000;
const SKEW_MS = 60_000;
const LOW_ORDER_POINT = new Uint8Array(32);
LOW_ORDER_POINT[0] = 1;
const CREDENTIALS = utf8Encode('{"token":"alice-token"}');

interface Server {
  identity: RawKeyPair;
  replayStore: ReplayStore;
  acceptedLevels: SecurityLevel[];
}

function newServer(acceptedLevels: SecurityLevel[] = [SecurityLevel.ENCRYPTED], identity = native.ed25519KeyPair()): Server {
  return { identity, replayStore: new InMemoryReplayStore(2 * SKEW_MS, 1000), acceptedLevels };
}

function respond(server: Server, hello: unknown, overrides: { nowMs?: number; suites?: AeadSuite[] } = {}) {
  return respondToClientHello({
    crypto: native,
    identity: server.identity,
    acceptedLevels: server.acceptedLevels,
    hello,
    nowMs: overrides.nowMs ?? NOW,
    maxClockSkewMs: SKEW_MS,
    suites: overrides.suites,
  });
}

/** Runs all three messages; each `tamper` may rewrite one in flight, as a network attacker could. */
async function handshake(options: {
  server?: Server;
  level?: SecurityLevel;
  clientCrypto?: CryptoProvider;
  clientIdentity?: RawKeyPair;
  credentials?: Uint8Array;
  expectedServerKey?: Uint8Array;
  pins?: InMemoryPinStore;
  tamperHello?: (hello: ClientHelloWire) => unknown;
  tamperReply?: (reply: ServerHelloWire) => unknown;
  tamperFinish?: (finish: ClientFinishWire) => unknown;
  offer?: AeadSuite[];
  serverSuites?: AeadSuite[];
} = {}) {
  const server = options.server ?? newServer();
  const clientCrypto = options.clientCrypto ?? native;
  const { hello, pending } = createClientHello({ crypto: clientCrypto, level: options.level ?? SecurityLevel.ENCRYPTED, nowMs: NOW, suites: options.offer });
  const sentHello = options.tamperHello ? options.tamperHello(structuredClone(hello)) : hello;
  const serverHello = respond(server, sentHello, { suites: options.serverSuites });
  if (!serverHello.ok) return { server, serverHello, clientResult: undefined, serverResult: undefined, hello, pending };
  const reply = options.tamperReply ? options.tamperReply(structuredClone(serverHello.reply)) : serverHello.reply;
  const clientResult = await answerServerHello({
    crypto: clientCrypto,
    pending,
    reply,
    identity: options.clientIdentity ?? clientCrypto.ed25519KeyPair(),
    credentials: (options.credentials ?? CREDENTIALS).slice(),
    trust: { expected: options.expectedServerKey, pins: options.pins ?? new InMemoryPinStore(), pinName: 'wss://chat.example' },
    nowMs: NOW,
  });
  if (!clientResult.ok) return { server, serverHello, clientResult, serverResult: undefined, hello, pending };
  const finish = options.tamperFinish ? options.tamperFinish(structuredClone(clientResult.finish)) : clientResult.finish;
  const serverResult = await finishServerHandshake({ crypto: native, pending: serverHello.pending, finish, replayStore: server.replayStore, nowMs: NOW });
  return { server, serverHello, clientResult, serverResult, hello, pending, finish };
}

/** The finish box with one bit flipped. */
function flipped(finish: ClientFinishWire, index = 5): ClientFinishWire {
  const box = fromBase64(finish.box)!;
  box[index]! ^= 1;
  return { box: toBase64(box) };
}

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

async function opens(receiver: SecureChannel | undefined, frame: Uint8Array): Promise<boolean> {
  return (await receiver!.open(frame)).ok;
}

describe('handshake at the encrypted level', () => {
  it('gives both sides channels that talk to each other, and the server the client key and the credentials it signed', async () => {
    const clientIdentity = native.ed25519KeyPair();
    const { serverResult, clientResult } = await handshake({ clientIdentity });
    if (!serverResult?.ok || !clientResult?.ok) throw new Error('handshake failed');
    expect(serverResult.clientIdentity).toEqual(clientIdentity.publicKey);
    expect(serverResult.credentials).toEqual(CREDENTIALS);
    expect(await opens(serverResult.channel, await clientResult.channel!.seal(text('c2s'), NOW))).toBe(true);
    expect(await opens(clientResult.channel, await serverResult.channel!.seal(text('s2c'), NOW))).toBe(true);
  });

  it('works with the portable provider on the client and node:crypto on the server', async () => {
    const { serverResult, clientResult } = await handshake({ clientCrypto: portable });
    if (!serverResult?.ok || !clientResult?.ok) throw new Error('handshake failed');
    expect(await opens(serverResult.channel, await clientResult.channel!.seal(text('from a browser'), NOW))).toBe(true);
  });

  it('uses fresh ephemeral keys on both sides for every connection', async () => {
    const server = newServer();
    const clientIdentity = native.ed25519KeyPair();
    const first = await handshake({ server, clientIdentity });
    const second = await handshake({ server, clientIdentity });
    if (!first.serverHello.ok || !second.serverHello.ok) throw new Error('handshake failed');
    expect(first.hello.e).not.toBe(second.hello.e);
    expect(first.serverHello.reply.e).not.toBe(second.serverHello.reply.e);
  });

  it('gives every connection its own keys: frames of one do not open in another', async () => {
    const server = newServer();
    const clientIdentity = native.ed25519KeyPair();
    const first = await handshake({ server, clientIdentity });
    const second = await handshake({ server, clientIdentity });
    if (!first.clientResult?.ok || !second.serverResult?.ok) throw new Error('handshake failed');
    expect(await opens(second.serverResult.channel, await first.clientResult.channel!.seal(text('x'), NOW))).toBe(false);
  });

  it('zeroes the client ephemeral secret and the server\'s shared secret once the keys are derived', async () => {
    const { pending, serverHello } = await handshake();
    expect(pending.ephemeral.secretKey.every((byte) => byte === 0)).toBe(true);
    if (!serverHello.ok) throw new Error('handshake failed');
    expect(serverHello.pending.shared.every((byte) => byte === 0)).toBe(true);
  });

  it('keeps a recorded session closed to whoever later steals the server identity key', async () => {
    const { server, hello, serverHello, clientResult } = await handshake();
    if (!serverHello.ok || !clientResult?.ok) throw new Error('handshake failed');
    const recorded = await clientResult.channel.seal(text('secret'), NOW);
    // Everything an attacker has: the wire messages and the stolen long-term key.
    const stolen = server.identity.secretKey;
    const clientEphemeral = fromBase64(hello.e)!;
    const serverEphemeral = fromBase64(serverHello.reply.e)!;
    for (const [secret, peer] of [
      [stolen, clientEphemeral],
      [stolen, serverEphemeral],
    ] as const) {
      const guessed = deriveTrafficKeys(native, native.x25519(secret, peer), native.randomBytes(32));
      const channel = new SecureChannel({
        crypto: native,
        sendDirection: Direction.SERVER_TO_CLIENT,
        sendKey: guessed.serverToClient,
        receiveKey: guessed.clientToServer,
        sessionHash: native.randomBytes(32),
        nowMs: NOW,
      });
      expect(await opens(channel, recorded)).toBe(false);
    }
  });
});

describe('AEAD suite negotiation', () => {
  it('picks ChaCha20-Poly1305 when both are offered, and both channels run it', async () => {
    const { serverHello, serverResult, clientResult } = await handshake({ clientCrypto: portable });
    if (!serverHello.ok || !serverResult?.ok || !clientResult?.ok) throw new Error('handshake failed');
    expect(serverHello.reply.suite).toBe(AeadSuite.CHACHA20_POLY1305);
    expect(clientResult.suite).toBe(AeadSuite.CHACHA20_POLY1305);
    expect(await opens(serverResult.channel, await clientResult.channel!.seal(text('chacha'), NOW))).toBe(true);
  });

  it('runs AES-256-GCM with a client that offers only it', async () => {
    const { serverResult, clientResult } = await handshake({ offer: [AeadSuite.AES_256_GCM] });
    if (!serverResult?.ok || !clientResult?.ok) throw new Error('handshake failed');
    expect(clientResult.suite).toBe(AeadSuite.AES_256_GCM);
    expect(await opens(clientResult.channel, await serverResult.channel!.seal(text('gcm'), NOW))).toBe(true);
  });

  it('refuses when client and server share no suite', async () => {
    const { serverHello } = await handshake({ offer: [AeadSuite.AES_256_GCM], serverSuites: [AeadSuite.CHACHA20_POLY1305] });
    expect(serverHello).toEqual({ ok: false, code: 'NO_COMMON_SUITE' });
  });

  it('aborts when the offer was rewritten in flight (the transcript the server signs covers it)', async () => {
    const { clientResult } = await handshake({ tamperHello: (hello) => ({ ...hello, suites: [AeadSuite.AES_256_GCM] }) });
    expect(clientResult).toEqual({ ok: false, code: 'BAD_SIGNATURE' });
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

  it('aborts when the reply is not a server hello', async () => {
    const { clientResult } = await handshake({ tamperReply: () => ({ v: 2, level: SecurityLevel.ENCRYPTED }) });
    expect(clientResult).toEqual({ ok: false, code: 'MALFORMED' });
  });

  it('aborts when the level of the hello was lowered in flight', async () => {
    const server = newServer([SecurityLevel.ENCRYPTED, SecurityLevel.AUTHENTICATED]);
    const { clientResult } = await handshake({ server, tamperHello: (hello) => ({ ...hello, level: SecurityLevel.AUTHENTICATED }) });
    expect(clientResult).toEqual({ ok: false, code: 'DOWNGRADE' });
  });

  it('aborts when the list of accepted levels was rewritten (the signature covers it)', async () => {
    const { clientResult } = await handshake({
      tamperReply: (reply) => ({ ...reply, accepted: [SecurityLevel.ENCRYPTED, SecurityLevel.NONE] }),
    });
    expect(clientResult).toEqual({ ok: false, code: 'BAD_SIGNATURE' });
  });

  it('refuses a level the server does not accept', async () => {
    const { serverHello } = await handshake({ level: SecurityLevel.AUTHENTICATED });
    expect(serverHello).toEqual({ ok: false, code: 'LEVEL_NOT_ACCEPTED' });
  });

  it('refuses a hello of another version', async () => {
    const { serverHello } = await handshake({ tamperHello: (hello) => ({ ...hello, v: 1 }) });
    expect(serverHello).toEqual({ ok: false, code: 'UNSUPPORTED_VERSION' });
  });
});

describe('the authenticated level', () => {
  it('authenticates every frame without encrypting it: the plaintext is readable, and one flipped bit is refused', async () => {
    const server = newServer([SecurityLevel.AUTHENTICATED]);
    const { serverResult, clientResult } = await handshake({ server, level: SecurityLevel.AUTHENTICATED });
    if (!serverResult?.ok || !clientResult?.ok) throw new Error('handshake failed');
    expect(clientResult.channel.kind).toBe(FrameKind.AUTHENTICATED);
    const frame = await clientResult.channel.seal(text('{"event":"chat"}'), NOW);
    expect(Buffer.from(frame).includes('{"event":"chat"}')).toBe(true);
    const forged = frame.slice();
    forged[20]! ^= 1;
    expect(await opens(serverResult.channel, forged)).toBe(false);
  });

  it('opens authenticated frames in order and refuses a replayed one', async () => {
    const server = newServer([SecurityLevel.AUTHENTICATED]);
    const { serverResult, clientResult } = await handshake({ server, level: SecurityLevel.AUTHENTICATED, clientCrypto: portable });
    if (!serverResult?.ok || !clientResult?.ok) throw new Error('handshake failed');
    const first = await serverResult.channel.seal(text('one'), NOW);
    const opened = await clientResult.channel.open(first);
    expect(opened.ok && new TextDecoder().decode(opened.plaintext)).toBe('one');
    expect(await opens(clientResult.channel, first)).toBe(false);
  });
});

describe('client authentication and the finish', () => {
  it('refuses a finish with one bit flipped', async () => {
    const { serverResult } = await handshake({ tamperFinish: (finish) => flipped(finish as ClientFinishWire) });
    expect(serverResult).toEqual({ ok: false, code: 'BAD_FINISH' });
  });

  it('refuses a finish that is not an object with a box', async () => {
    expect((await handshake({ tamperFinish: () => ({ box: 'not base64!' }) })).serverResult).toEqual({ ok: false, code: 'BAD_FINISH' });
    expect((await handshake({ tamperFinish: () => 'finish' })).serverResult).toEqual({ ok: false, code: 'BAD_FINISH' });
  });

  it('refuses a finish replayed to another server hello, even from the same server identity (another instance)', async () => {
    const identity = native.ed25519KeyPair();
    const recorded = await handshake({ server: newServer(undefined, identity) });
    expect(recorded.serverResult?.ok).toBe(true);
    // The attacker has both client messages, and plays them to another instance with the same identity.
    const other = newServer(undefined, identity);
    const answered = respond(other, recorded.hello);
    if (!answered.ok) throw new Error('the hello itself is accepted: it proves nothing yet');
    const replayed = await finishServerHandshake({ crypto: native, pending: answered.pending, finish: recorded.finish, replayStore: other.replayStore, nowMs: NOW });
    expect(replayed).toEqual({ ok: false, code: 'BAD_FINISH' });
  });

  it('refuses a finish whose signature does not verify under the identity key it names', async () => {
    const attacker = native.ed25519KeyPair();
    const { serverResult } = await handshake({
      clientIdentity: { secretKey: attacker.secretKey, publicKey: native.ed25519KeyPair().publicKey },
    });
    expect(serverResult).toEqual({ ok: false, code: 'BAD_PROOF' });
  });

  it('claims the client nonce once: the same hello finished twice on one server is refused the second time', async () => {
    const server = newServer();
    const { hello, pending } = createClientHello({ crypto: native, level: SecurityLevel.ENCRYPTED, nowMs: NOW });
    const results = [];
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const answered = respond(server, hello);
      if (!answered.ok) throw new Error('hello refused');
      const copy = { ...pending, ephemeral: { ...pending.ephemeral, secretKey: pending.ephemeral.secretKey.slice() } };
      const client = await answerServerHello({
        crypto: native,
        pending: copy,
        reply: answered.reply,
        identity: native.ed25519KeyPair(),
        credentials: CREDENTIALS.slice(),
        trust: { pins: new InMemoryPinStore(), pinName: 'x' },
        nowMs: NOW,
      });
      if (!client.ok) throw new Error('reply refused');
      results.push(await finishServerHandshake({ crypto: native, pending: answered.pending, finish: client.finish, replayStore: server.replayStore, nowMs: NOW }));
    }
    expect(results.map((result) => result.ok || result.code)).toEqual([true, 'REPLAYED']);
  });

  it('refuses the handshake when the replay store cannot take the nonce', async () => {
    const server = { ...newServer(), replayStore: { claim: () => 'UNAVAILABLE' as const } };
    expect((await handshake({ server })).serverResult).toEqual({ ok: false, code: 'REPLAY_STORE_UNAVAILABLE' });
  });

  it('binds the traffic keys to the credentials: the same handshake with other credentials has other keys', async () => {
    const { serverResult, clientResult } = await handshake({ credentials: utf8Encode('{"token":"bob"}') });
    if (!serverResult?.ok || !clientResult?.ok) throw new Error('handshake failed');
    expect(serverResult.credentials).toEqual(utf8Encode('{"token":"bob"}'));
    expect(await opens(serverResult.channel, await clientResult.channel.seal(text('x'), NOW))).toBe(true);
  });
});

describe('key validation and freshness', () => {
  it('refuses a low-order client ephemeral key before any derivation', async () => {
    const { serverHello } = await handshake({ tamperHello: (hello) => ({ ...hello, e: toBase64(LOW_ORDER_POINT) }) });
    expect(serverHello).toEqual({ ok: false, code: 'INVALID_KEY' });
  });

  it('refuses a client ephemeral key of the wrong length', async () => {
    const { serverHello } = await handshake({ tamperHello: (hello) => ({ ...hello, e: toBase64(new Uint8Array(31)) }) });
    expect(serverHello).toEqual({ ok: false, code: 'MALFORMED' });
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

  it('refuses a hello whose timestamp is outside the allowed skew', async () => {
    const server = newServer();
    const { hello } = createClientHello({ crypto: native, level: SecurityLevel.ENCRYPTED, nowMs: NOW });
    expect(respond(server, hello, { nowMs: NOW + SKEW_MS + 1 })).toEqual({ ok: false, code: 'STALE' });
  });
});
