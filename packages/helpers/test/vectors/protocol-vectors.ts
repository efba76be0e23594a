import { AeadSuite } from '../../src/crypto/aead-suite.ts';
import { fromBase64, utf8Decode, utf8Encode } from '../../src/crypto/bytes.ts';
import { answerServerHello, createClientHello } from '../../src/crypto/client-handshake.ts';
import type { CryptoProvider, RawKeyPair } from '../../src/crypto/crypto-provider.ts';
import { clientSignedMessage, serverSignedMessage, sessionHash } from '../../src/crypto/handshake-transcript.ts';
import { toBase64 } from '../../src/crypto/bytes.ts';
import { deriveTrafficKeys, finishKey, nextTrafficKey, resumptionSecret, ticketSecret } from '../../src/crypto/key-schedule.ts';
import { answerResumedServerHello, readTicket } from '../../src/crypto/client-resumption.ts';
import { resumeFinishKey, resumeKeyMaterial } from '../../src/crypto/resumption-schedule.ts';
import { TicketSealer, TICKET_ID_BYTES } from '../../src/crypto/resumption-ticket.ts';
import { finishResumption, respondToResumption } from '../../src/crypto/server-resumption.ts';
import { InMemoryPinStore } from '../../src/crypto/pin-store.ts';
import { InMemoryReplayStore } from '../../src/crypto/replay-store.ts';
import type { SecureChannel } from '../../src/crypto/secure-channel.ts';
import { SecurityLevel } from '../../src/crypto/security-level.ts';
import { finishServerHandshake, respondToClientHello } from '../../src/crypto/server-handshake.ts';

/**
 * Known-answer vectors of the Sealed wire protocol (handshake v2, its
 * finish with the credentials, encrypted and authenticated frames), built by
 * the real code from fixed inputs.
 * `docs/vectors/protocol-v2.json` is their published copy; a test rebuilds
 * them with each crypto provider and compares byte for byte.
 */

/** The X25519 base point u = 9 (RFC 7748 §4.1). */
const X25519_BASE_POINT = Uint8Array.from({ length: 32 }, (_, index) => (index === 0 ? 9 : 0));

const TIMESTAMP_MS = 1_800_000_000_000;
const CREDENTIALS = '{"token":"alice-session-token"}';
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

/** One handshake vector at `level`: the server runs `serverSuites`, so it picks their first. */
async function handshakeVector(crypto: CryptoProvider, level: SecurityLevel, serverSuites: readonly AeadSuite[]) {
  const input = {
    level,
    acceptedLevels: [level],
    offeredSuites: [AeadSuite.AES_256_GCM, AeadSuite.CHACHA20_POLY1305],
    serverSuites: [...serverSuites],
    timestampMs: TIMESTAMP_MS,
    credentials: CREDENTIALS,
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
  const credentials = utf8Encode(CREDENTIALS);

  const { hello, pending } = createClientHello({ crypto: clientCrypto, level, nowMs: TIMESTAMP_MS, suites: input.offeredSuites });
  const server = respondToClientHello({
    crypto: serverCrypto,
    identity: serverIdentity,
    acceptedLevels: input.acceptedLevels,
    hello,
    nowMs: TIMESTAMP_MS,
    maxClockSkewMs: 60_000,
    suites: input.serverSuites,
  });
  if (!server.ok) throw new Error(`server refused the vector's hello: ${server.code}`);
  const { transcript } = server.pending;
  const shared = crypto.x25519(bytesOf(input.clientEphemeralSecret), fromBase64(server.reply.e)!);
  const client = await answerServerHello({
    crypto,
    pending,
    reply: server.reply,
    identity: clientIdentity,
    credentials: credentials.slice(),
    trust: { expected: serverIdentity.publicKey, pins: new InMemoryPinStore(), pinName: 'vectors' },
    nowMs: TIMESTAMP_MS,
    rekey: REKEY,
  });
  if (!client.ok) throw new Error(`client refused the vector's server hello: ${client.code}`);
  const finished = await finishServerHandshake({
    crypto,
    pending: server.pending,
    finish: client.finish,
    replayStore: new InMemoryReplayStore(60_000, 10),
    nowMs: TIMESTAMP_MS,
    rekey: REKEY,
  });
  if (!finished.ok) throw new Error(`server refused the vector's finish: ${finished.code}`);
  const session = sessionHash(crypto, transcript, clientIdentity.publicKey, credentials);
  const keys = deriveTrafficKeys(crypto, shared, session);
  const clientToServer = await framesOf(client.channel, finished.channel, CLIENT_MESSAGES.slice(0, FRAMES_PER_DIRECTION));
  const serverToClient = await framesOf(finished.channel, client.channel, SERVER_MESSAGES.slice(0, FRAMES_PER_DIRECTION));
  return {
    resumption: { clientIdentity, serverIdentity, shared, session, suite: server.reply.suite, level, clientSecret: client.resumptionSecret, serverSecret: finished.resumptionSecret },
    input,
    expected: {
      clientIdentityPublic: hex(clientIdentity.publicKey),
      clientEphemeralPublic: hex(pending.ephemeral.publicKey),
      clientHello: hello,
      serverIdentityPublic: hex(serverIdentity.publicKey),
      serverHello: server.reply,
      suite: server.reply.suite,
      transcriptHash: hex(transcript),
      serverSignedMessage: hex(serverSignedMessage(transcript)),
      sharedSecret: hex(shared),
      finishKey: hex(finishKey(crypto, shared, transcript)),
      clientSignedMessage: hex(clientSignedMessage(crypto, transcript, credentials)),
      clientFinish: client.finish,
      sessionHash: hex(session),
      clientToServerKey: hex(keys.clientToServer),
      serverToClientKey: hex(keys.serverToClient),
      clientToServerKeyEpoch1: hex(nextTrafficKey(crypto, keys.clientToServer, session)),
      serverToClientKeyEpoch1: hex(nextTrafficKey(crypto, keys.serverToClient, session)),
      clientToServerFrames: clientToServer,
      serverToClientFrames: serverToClient,
    },
  };
}

/** The lifetime the resumption vector's ticket is issued with. */
const TICKET_LIFETIME_MS = 120_000;
const USER_ID = 'alice';

/**
 * A resumption vector on top of a full handshake vector: the resumption
 * secret both sides derive, the ticket the server issues (its id scripted),
 * the client's secret for it, then a resumed hello with fresh ephemeral keys,
 * the server's resumed hello with its proof, the finish, the new session's
 * keys and its first frame each way.
 */
async function resumptionVector(crypto: CryptoProvider, full: Awaited<ReturnType<typeof handshakeVector>>) {
  const { clientIdentity, serverIdentity, shared, session, suite, level, clientSecret } = full.resumption;
  const input = {
    fromHandshake: full.input,
    ticketId: hex(fixedBytes(crypto, 'ticket id').subarray(0, TICKET_ID_BYTES)),
    ticketExpiresAtMs: TIMESTAMP_MS + TICKET_LIFETIME_MS,
    userId: USER_ID,
    timestampMs: TIMESTAMP_MS,
    credentials: CREDENTIALS,
    clientEphemeralSecret: hex(fixedBytes(crypto, 'resumed client ephemeral secret')),
    clientNonce: hex(fixedBytes(crypto, 'resumed client nonce')),
    serverEphemeralSecret: hex(fixedBytes(crypto, 'resumed server ephemeral secret')),
  };
  const serverSecret = full.resumption.serverSecret;
  if (hex(serverSecret) !== hex(clientSecret) || hex(serverSecret) !== hex(resumptionSecret(crypto, shared, session))) {
    throw new Error('the two sides derived different resumption secrets');
  }
  const sealer = new TicketSealer(scripted(crypto, [], [bytesOf(input.ticketId)]), serverIdentity);
  const id = sealer.newId();
  const ticket = await sealer.seal({
    id,
    expiresAtMs: input.ticketExpiresAtMs,
    level,
    suite,
    clientIdentity: clientIdentity.publicKey,
    secret: ticketSecret(crypto, serverSecret, id),
    userId: USER_ID,
  });
  const ticketFrame = { ticket: toBase64(ticket), lifetimeMs: TICKET_LIFETIME_MS };
  const held = readTicket({ crypto, data: ticketFrame, resumptionSecret: clientSecret, serverIdentity: serverIdentity.publicKey, level, suite, nowMs: TIMESTAMP_MS });
  if (!held) throw new Error('the vector ticket did not read');
  const secret = held.secret.slice();

  const clientCrypto = scripted(crypto, [bytesOf(input.clientEphemeralSecret)], [bytesOf(input.clientNonce)]);
  const serverCrypto = scripted(crypto, [bytesOf(input.serverEphemeralSecret)], []);
  const offered = full.input.offeredSuites;
  const { hello, pending } = createClientHello({ crypto: clientCrypto, level, nowMs: TIMESTAMP_MS, suites: offered, ticket });
  const server = await respondToResumption({
    crypto: serverCrypto,
    identity: serverIdentity,
    acceptedLevels: full.input.acceptedLevels,
    hello,
    nowMs: TIMESTAMP_MS,
    maxClockSkewMs: 60_000,
    suites: full.input.serverSuites,
    tickets: sealer,
    replayStore: new InMemoryReplayStore(60_000, 10),
  });
  if (!server.ok) throw new Error(`server refused the vector's ticket: ${server.code}`);
  const { transcript } = server.pending;
  const resumedShared = crypto.x25519(bytesOf(input.clientEphemeralSecret), fromBase64(server.reply.e)!);
  const material = resumeKeyMaterial(resumedShared, secret);
  const credentials = utf8Encode(CREDENTIALS);
  const client = await answerResumedServerHello({ crypto, pending, held, reply: server.reply, credentials, clientIdentity: clientIdentity.publicKey, nowMs: TIMESTAMP_MS });
  if (!client.ok) throw new Error(`client refused the vector's resumed server hello: ${client.code}`);
  const finished = await finishResumption({ crypto, pending: server.pending, finish: client.finish, nowMs: TIMESTAMP_MS });
  if (!finished.ok) throw new Error(`server refused the vector's resumed finish: ${finished.code}`);
  const resumedSession = sessionHash(crypto, transcript, clientIdentity.publicKey, credentials);
  const keys = deriveTrafficKeys(crypto, material, resumedSession);
  return {
    input,
    expected: {
      resumptionSecret: hex(serverSecret),
      ticketSecret: hex(secret),
      ticketFrame,
      ticket: hex(ticket),
      clientHello: hello,
      serverHello: server.reply,
      resumeTranscriptHash: hex(transcript),
      sharedSecret: hex(resumedShared),
      resumeFinishKey: hex(resumeFinishKey(crypto, material, transcript)),
      clientFinish: client.finish,
      sessionHash: hex(resumedSession),
      clientToServerKey: hex(keys.clientToServer),
      serverToClientKey: hex(keys.serverToClient),
      nextResumptionSecret: hex(resumptionSecret(crypto, material, resumedSession)),
      clientToServerFrames: await framesOf(client.channel, finished.channel, CLIENT_MESSAGES.slice(0, 1)),
      serverToClientFrames: await framesOf(finished.channel, client.channel, SERVER_MESSAGES.slice(0, 1)),
    },
  };
}

/** Every vector, as published in `docs/vectors/protocol-v2.json`. */
export async function buildProtocolVectors(crypto: CryptoProvider) {
  const vectors = [
    { name: 'encrypted, chacha20-poly1305 chosen by the server', vector: await handshakeVector(crypto, SecurityLevel.ENCRYPTED, [AeadSuite.CHACHA20_POLY1305, AeadSuite.AES_256_GCM]) },
    { name: 'encrypted, aes-256-gcm chosen by the server', vector: await handshakeVector(crypto, SecurityLevel.ENCRYPTED, [AeadSuite.AES_256_GCM]) },
    { name: 'authenticated, chacha20-poly1305 chosen by the server', vector: await handshakeVector(crypto, SecurityLevel.AUTHENTICATED, [AeadSuite.CHACHA20_POLY1305]) },
  ];
  return {
    description:
      'Known-answer vectors of the Sealed protocol, handshake v2 (docs/protocol.md). Byte strings are hex, except inside the wire messages (clientHello, serverHello, clientFinish), which are exactly what goes on the wire (base64). The inputs replace the randomness: the client ephemeral secret, the client nonce, the server ephemeral secret; identity keys are Ed25519 seeds. Each labelled 32-byte input is SHA-256 of "sealed test vector: <label>". credentials is the exact UTF-8 JSON the client signs and seals. Each resumption continues the full handshake whose input is its fromHandshake: its inputs add the ticket id, the ticket expiry and fresh ephemeral secrets and nonce; ticketFrame is the data of sealed:ticket.',
    handshakes: vectors.map(({ name, vector }) => ({ name, input: vector.input, expected: vector.expected })),
    resumptions: [{ name: 'encrypted, chacha20-poly1305, resuming the first handshake', ...(await resumptionVector(crypto, vectors[0]!.vector)) }],
  };
}
