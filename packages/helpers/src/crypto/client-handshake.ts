import { CLIENT_SUITE_OFFER, type AeadSuite } from './aead-suite.ts';
import { constantTimeEqual, toBase64, utf8Encode, zeroize } from './bytes.ts';
import type { CryptoProvider, RawKeyPair } from './crypto-provider.ts';
import { CLIENT_NONCE_BYTES, readServerHello, type ClientHelloWire } from './handshake-messages.ts';
import { HANDSHAKE_VERSION, clientProofMessage, serverSignedMessage, transcriptHash } from './handshake-transcript.ts';
import { deriveTrafficKeys } from './key-schedule.ts';
import { comparePin, type PinStore } from './pin-store.ts';
import { sealCredentials } from './sealed-credentials.ts';
import { Direction, SecureChannel, type RekeyPolicy } from './secure-channel.ts';
import { SECURITY_LEVEL_CODES, SecurityLevel } from './security-level.ts';
import { checkX25519PublicKey } from './x25519-public-key.ts';
import { SealedError } from '../protocol/sealed-error.ts';
import { UsageErrorCode } from '../protocol/usage-error-codes.ts';

/** Why the client aborted a handshake. */
export type ClientHandshakeFailure =
  | 'MISSING_HANDSHAKE'
  | 'MALFORMED'
  | 'DOWNGRADE'
  | 'SERVER_KEY_MISMATCH'
  | 'BAD_SIGNATURE'
  | 'INVALID_KEY';

/** What the client keeps between sending its hello and reading the reply. */
export interface PendingClientHandshake {
  level: SecurityLevel;
  ephemeral: RawKeyPair;
  nonce: Uint8Array;
  identity: Uint8Array;
  suites: readonly AeadSuite[];
  /** The client proof the hello's signature covers. */
  proof: Uint8Array;
}

/** How the client decides whether to trust the server's identity key. */
export interface ServerKeyTrust {
  /** A key configured out of band; when set, only it is accepted. */
  expected?: Uint8Array;
  /** Otherwise the key pinned under `pinName` on first use. */
  pins: PinStore;
  /** Usually the server's origin. */
  pinName: string;
}

/**
 * Starts a handshake at `authenticated` or `encrypted`: a fresh ephemeral
 * key, a fresh nonce, and a signature over them with the client identity.
 */
export function createClientHello(params: {
  crypto: CryptoProvider;
  level: SecurityLevel;
  identity: RawKeyPair;
  nowMs: number;
  /** AEADs to offer, in order of preference. */
  suites?: readonly AeadSuite[];
}): { hello: ClientHelloWire; pending: PendingClientHandshake } {
  const { crypto, level, identity, nowMs } = params;
  const suites = params.suites ?? CLIENT_SUITE_OFFER;
  if (level === SecurityLevel.NONE) throw new SealedError(UsageErrorCode.INVALID_SECURITY_LEVEL, 'Level "none" has no handshake');
  const ephemeral = crypto.x25519KeyPair();
  const nonce = crypto.randomBytes(CLIENT_NONCE_BYTES);
  const proof = clientProofMessage({
    level,
    clientEphemeral: ephemeral.publicKey,
    clientNonce: nonce,
    clientIdentity: identity.publicKey,
    timestampMs: nowMs,
    suites,
  });
  return {
    hello: {
      v: HANDSHAKE_VERSION,
      level,
      e: toBase64(ephemeral.publicKey),
      n: toBase64(nonce),
      id: toBase64(identity.publicKey),
      ts: nowMs,
      sig: toBase64(crypto.ed25519Sign(identity.secretKey, proof)),
      suites: [...suites],
    },
    pending: { level, ephemeral, nonce, identity: identity.publicKey, suites, proof },
  };
}

/**
 * Seals the `authenticate` credentials into a hello, to a server identity
 * key the client already trusts (configured, or pinned on an earlier
 * connection), so that only that server reads them: a TLS-terminating proxy
 * or a log of the upgrade traffic never sees the token. Returns the hello
 * with `c` set; send it without the credentials beside it.
 *
 * @throws Error when `serverIdentity` is not an Ed25519 public key.
 */
export async function sealHelloCredentials(params: {
  crypto: CryptoProvider;
  hello: ClientHelloWire;
  pending: PendingClientHandshake;
  serverIdentity: Uint8Array;
  credentials: Record<string, unknown>;
}): Promise<ClientHelloWire> {
  const sealed = await sealCredentials({
    crypto: params.crypto,
    ephemeralSecret: params.pending.ephemeral.secretKey,
    serverIdentity: params.serverIdentity,
    proof: params.pending.proof,
    credentials: utf8Encode(JSON.stringify(params.credentials)),
  });
  return { ...params.hello, c: toBase64(sealed) };
}

/** A finished client handshake. */
export interface ClientHandshakeResult {
  ok: true;
  level: SecurityLevel;
  suite: AeadSuite;
  serverIdentity: Uint8Array;
  channel: SecureChannel | undefined;
}

/**
 * Finishes the handshake from the `connected` reply: refuses any level other
 * than the one asked for (no downgrade), checks the server identity against
 * the configured or pinned key, verifies the transcript signature, and at
 * `encrypted` derives the traffic keys. The ephemeral secret is zeroed
 * whatever happens.
 */
export async function completeClientHandshake(params: {
  crypto: CryptoProvider;
  pending: PendingClientHandshake;
  /** `data.sealed` of the `connected` reply. */
  reply: unknown;
  clientId: string;
  userId: string;
  trust: ServerKeyTrust;
  nowMs: number;
  rekey?: RekeyPolicy;
}): Promise<ClientHandshakeResult | { ok: false; code: ClientHandshakeFailure }> {
  const { crypto, pending } = params;
  const fail = (failure: ClientHandshakeFailure): { ok: false; code: ClientHandshakeFailure } => ({ ok: false, code: failure });
  try {
    if (params.reply === undefined) return fail('MISSING_HANDSHAKE');
    const reply = readServerHello(params.reply);
    if (!reply) return fail('MALFORMED');
    if (SECURITY_LEVEL_CODES[reply.level] !== SECURITY_LEVEL_CODES[pending.level]) return fail('DOWNGRADE');
    const { ephemeral, identity, signature, suite } = reply;
    if (!ephemeral || !identity || !signature || !suite) return fail('MALFORMED');
    if (!pending.suites.includes(suite)) return fail('DOWNGRADE');

    const { expected, pins, pinName } = params.trust;
    // Compared now, pinned only once the signature below has verified: a forged reply leaves no pin behind.
    let unpinned = false;
    if (expected) {
      if (!constantTimeEqual(expected, identity)) return fail('SERVER_KEY_MISMATCH');
    } else {
      const comparison = await comparePin(pins, pinName, identity);
      if (comparison === 'MISMATCH') return fail('SERVER_KEY_MISMATCH');
      unpinned = comparison === 'UNPINNED';
    }
    if (checkX25519PublicKey(ephemeral)) return fail('INVALID_KEY');

    const transcript = transcriptHash(crypto, {
      level: reply.level,
      acceptedLevels: reply.accepted,
      offeredSuites: pending.suites,
      suite,
      clientEphemeral: pending.ephemeral.publicKey,
      clientNonce: pending.nonce,
      clientIdentity: pending.identity,
      serverEphemeral: ephemeral,
      serverIdentity: identity,
      clientId: params.clientId,
      userId: params.userId,
    });
    if (!crypto.ed25519Verify(identity, serverSignedMessage(transcript), signature)) return fail('BAD_SIGNATURE');
    if (unpinned) await pins.set(pinName, toBase64(identity));

    let channel: SecureChannel | undefined;
    if (reply.level === SecurityLevel.ENCRYPTED) {
      const keys = deriveTrafficKeys(crypto, pending.ephemeral.secretKey, ephemeral, transcript);
      channel = new SecureChannel({
        crypto,
        sendDirection: Direction.CLIENT_TO_SERVER,
        sendKey: keys.clientToServer,
        receiveKey: keys.serverToClient,
        transcript,
        rekey: params.rekey,
        suite,
        nowMs: params.nowMs,
      });
    }
    return { ok: true, level: reply.level, suite, serverIdentity: identity, channel };
  } catch {
    return fail('INVALID_KEY');
  } finally {
    zeroize(pending.ephemeral.secretKey);
  }
}
