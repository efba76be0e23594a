import { AeadSuite } from '../../src/crypto/aead-suite.ts';
import { fromBase64, utf8Decode, utf8Encode } from '../../src/crypto/bytes.ts';
import { completeClientHandshake, createClientHello, sealHelloCredentials } from '../../src/crypto/client-handshake.ts';
import type { CryptoProvider, RawKeyPair } from '../../src/crypto/crypto-provider.ts';
import { readClientHello, proofOf } from '../../src/crypto/handshake-messages.ts';
import { serverSignedMessage, transcriptHash } from '../../src/crypto/handshake-transcript.ts';
import { deriveTrafficKeys, nextTrafficKey } from '../../src/crypto/key-schedule.ts';
import { InMemoryPinStore } from '../../src/crypto/pin-store.ts';
import { ReplayGuard } from '../../src/crypto/replay-guard.ts';
import type { SecureChannel } from '../../src/crypto/secure-channel.ts';
import { SecurityLevel } from '../../src/crypto/security-level.ts';
import { respondToClientHello } from '../../src/crypto/server-handshake.ts';

/**
 * Known-answer vectors of the Sealed wire protocol (handshake v1, encrypted
 * frames, sealed credentials), built by the real code from fixed inputs.
 * `docs/vectors/protocol-v1.json` is their published copy; a test rebuilds
 * them with each crypto provider and compares byte for byte.
 */

/** The X25519 base point u = 9 (RFC 7748 §4.1). */
const X25519_BASE_POINT = Uint8Array.from({ length: 32 }, (_, index) => (index === 0 ? 9 : 0));

const TIMESTAMP_MS = 1_800_000_000_000;
const CLIENT_ID = 'a1b2c3d4e5f6.0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b';
const USER_ID = 'alice';
const CREDENTIALS = { token: 'alice-session-token' };
/** Frames each direction sends; with this rekey policy the third one is under the next key. */
const FRAMES_PER_DIRECTION = 3;
const REKEY = { afterMessages: 2, afterMs: 24 * 60 * 60 * 1000 } as const;
const CLIENT_MESSAGES = ['{"event":"join","data":{"rooms":["lobby"]}}', '{"event":"chat","data":{"text":"hello"}}', '{"event":"chat","data":{"text":"after the rekey"}}'];
const SERVER_MESSAGES = ['{"event":"joined","data":{"rooms":["lobby"],"denied":[],"current":["lobby"]}}', '{"event":"chat","data":{"from":"bob","text":"hi"}}', '{"event":"chat","data":{"from":"bob","text":"still here"}}'];

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const bytesOf = (hexText: string): Uint8Array => new Uint8Array(Buffer.from(hexText, 'hex'));

/** 32 fixed bytes named by a label: SHA-256 of it, so anyone can recompute the inputs. */
function fixedBytes(crypto: CryptoProvider, label: string): Uint8Array {
  return crypto.sha256(utf8Encode(`sealed test vector: ${label}`));
}

/**
 * The provider with its randomness scripted: key pairs and random bytes come
 * from the queues given, in order (copies, since the code zeroes secrets).
 */
function scripted(crypto: CryptoProvider, x25519Secrets: Uint8Array[], random: Uint8Array[]): CryptoProvider {
  const wrapper = Object.create(null) as Record<string, unknown>;
  let prototype: object | null = crypto;
  while (prototype && prototype !== Object.prototype) {
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const value = (crypto as unknown as Record<string, unknown>)[name];
      if (name !== 'constructor' && typeof value === 'function' && !(name in wrapper)) wrapper[name] = value.bind(crypto);
    }
    prototype = Object.getPrototypeOf(prototype);
  }
  wrapper.name = `${crypto.name} (scripted randomness)`;
  wrapper.x25519KeyPair = (): RawKeyPair => {
    const secretKey = x25519Secrets.shift();
    if (!secretKey) throw new Error('no scripted X25519 secret left');
    return { secretKey: secretKey.slice(), publicKey: crypto.x25519(secretKey, X25519_BASE_POINT) };
  };
  wrapper.randomBytes = (length: number): Uint8Array => {
    const bytes = random.shift();
    if (!bytes || bytes.length !== length) throw new Error(`no scripted ${length} random bytes left`);
    return bytes.slice();
  };
  return wrapper as unknown as CryptoProvider;
}

/** Seals `messages` in order on `channel`, and opens each on `peer`. */
async function framesOf(channel: SecureChannel, peer: SecureChannel, messages: readonly string[]) {
  const frames: Array<{ plaintext: string; frame: string }> = [];
  for (const plaintext of messages) {
    const frame = await channel.seal(utf8Encode(plaintext), TIMESTAMP_MS);
    const opened = await peer.open(frame);
    if (!opened.ok || utf8Decode(opened.plaintext) !== plaintext) throw new Error('the peer did not open its frame');
    frames.push({ plaintext, frame: hex(frame) });
  }
  return frames;
}

/** One handshake vector: the server runs `serverSuites`, so it picks their first. */
async function handshakeVector(crypto: CryptoProvider, serverSuites: readonly AeadSuite[]) {
  const input = {
    level: SecurityLevel.ENCRYPTED,
    acceptedLevels: [SecurityLevel.ENCRYPTED],
    offeredSuites: [AeadSuite.AES_256_GCM, AeadSuite.CHACHA20_POLY1305],
    serverSuites: [...serverSuites],
    timestampMs: TIMESTAMP_MS,
    clientId: CLIENT_ID,
    userId: USER_ID,
    clientIdentitySeed: hex(fixedBytes(crypto, 'client identity seed')),
    clientEphemeralSecret: hex(fixedBytes(crypto, 'client ephemeral secret')),
    clientNonce: hex(fixedBytes(crypto, 'client nonce')),
    serverIdentitySeed: hex(fixedBytes(crypto, 'server identity seed')),
    serverEphemeralSecret: hex(fixedBytes(crypto, 'server ephemeral secret')),
    rekey: { ...REKEY },
  };
  const clientIdentity = { secretKey: bytesOf(input.clientIdentitySeed), publicKey: crypto.ed25519PublicKey(bytesOf(input.clientIdentitySeed)) };
  const serverIdentity = { secretKey: bytesOf(input.serverIdentitySeed), publicKey: crypto.ed25519PublicKey(bytesOf(input.serverIdentitySeed)) };
  const clientCrypto = scripted(crypto, [bytesOf(input.clientEphemeralSecret)], [bytesOf(input.clientNonce)]);
  const serverCrypto = scripted(crypto, [bytesOf(input.serverEphemeralSecret)], []);

  const { hello, pending } = createClientHello({
    crypto: clientCrypto,
    level: input.level,
    identity: clientIdentity,
    nowMs: TIMESTAMP_MS,
    suites: input.offeredSuites,
  });
  const sealedHello = await sealHelloCredentials({ crypto, hello, pending, serverIdentity: serverIdentity.publicKey, credentials: CREDENTIALS });
  const server = await respondToClientHello({
    crypto: serverCrypto,
    identity: serverIdentity,
    acceptedLevels: input.acceptedLevels,
    hello,
    clientId: CLIENT_ID,
    userId: USER_ID,
    nowMs: TIMESTAMP_MS,
    maxClockSkewMs: 60_000,
    replayGuard: new ReplayGuard(60_000, 10),
    clientKeyPins: new InMemoryPinStore(),
    rekey: REKEY,
    suites: input.serverSuites,
  });
  if (!server.ok) throw new Error(`server refused the vector's hello: ${server.code}`);
  const serverEphemeral = fromBase64(server.reply.e!)!;
  const suite = server.reply.suite!;
  const transcript = transcriptHash(crypto, {
    level: input.level,
    acceptedLevels: input.acceptedLevels,
    offeredSuites: input.offeredSuites,
    suite,
    clientEphemeral: pending.ephemeral.publicKey,
    clientNonce: pending.nonce,
    clientIdentity: clientIdentity.publicKey,
    serverEphemeral,
    serverIdentity: serverIdentity.publicKey,
    clientId: CLIENT_ID,
    userId: USER_ID,
  });
  const keys = deriveTrafficKeys(crypto, bytesOf(input.clientEphemeralSecret), serverEphemeral, transcript);
  const client = await completeClientHandshake({
    crypto,
    pending,
    reply: server.reply,
    clientId: CLIENT_ID,
    userId: USER_ID,
    trust: { expected: serverIdentity.publicKey, pins: new InMemoryPinStore(), pinName: 'vectors' },
    nowMs: TIMESTAMP_MS,
    rekey: REKEY,
  });
  if (!client.ok) throw new Error(`client refused the vector's reply: ${client.code}`);
  const clientToServer = await framesOf(client.channel!, server.channel!, CLIENT_MESSAGES.slice(0, FRAMES_PER_DIRECTION));
  const serverToClient = await framesOf(server.channel!, client.channel!, SERVER_MESSAGES.slice(0, FRAMES_PER_DIRECTION));
  return {
    input,
    expected: {
      clientIdentityPublic: hex(clientIdentity.publicKey),
      clientEphemeralPublic: hex(pending.ephemeral.publicKey),
      clientProofMessage: hex(proofOf(readClientHello(hello)!)),
      clientHello: hello,
      clientHelloWithSealedCredentials: { credentials: CREDENTIALS, hello: sealedHello },
      serverIdentityPublic: hex(serverIdentity.publicKey),
      serverHello: server.reply,
      suite,
      transcriptHash: hex(transcript),
      serverSignedMessage: hex(serverSignedMessage(transcript)),
      clientToServerKey: hex(keys.clientToServer),
      serverToClientKey: hex(keys.serverToClient),
      clientToServerKeyEpoch1: hex(nextTrafficKey(crypto, keys.clientToServer, transcript)),
      serverToClientKeyEpoch1: hex(nextTrafficKey(crypto, keys.serverToClient, transcript)),
      clientToServerFrames: clientToServer,
      serverToClientFrames: serverToClient,
    },
  };
}

/** Every vector, as published in `docs/vectors/protocol-v1.json`. */
export async function buildProtocolVectors(crypto: CryptoProvider) {
  return {
    description:
      'Known-answer vectors of the Sealed protocol, handshake v1 (docs/protocol.md). Byte strings are hex, except inside the wire messages (clientHello, serverHello), which are exactly what goes on the wire (base64). The inputs replace the randomness: the client ephemeral secret, the client nonce, the server ephemeral secret; identity keys are Ed25519 seeds. Each labelled 32-byte input is SHA-256 of "sealed test vector: <label>".',
    handshakes: [
      { name: 'chacha20-poly1305 chosen by the server', ...(await handshakeVector(crypto, [AeadSuite.CHACHA20_POLY1305, AeadSuite.AES_256_GCM])) },
      { name: 'aes-256-gcm chosen by the server', ...(await handshakeVector(crypto, [AeadSuite.AES_256_GCM])) },
    ],
  };
}
