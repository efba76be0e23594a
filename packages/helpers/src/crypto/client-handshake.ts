import { CLIENT_SUITE_OFFER, type AeadSuite } from './aead-suite.ts';
import { constantTimeEqual, toBase64, zeroize } from './bytes.ts';
import { FINISH_NONCE, encodeClientFinish } from './client-finish.ts';
import type { CryptoProvider, RawKeyPair } from './crypto-provider.ts';
import { CLIENT_NONCE_BYTES, readServerHello, type ClientFinishWire, type ClientHelloWire } from './handshake-messages.ts';
import { HANDSHAKE_VERSION, clientSignedMessage, serverSignedMessage, sessionHash, transcriptHash } from './handshake-transcript.ts';
import { ephemeralSharedSecret, finishKey } from './key-schedule.ts';
import { establishSession } from './session-keys.ts';
import { comparePin, type PinStore } from './pin-store.ts';
import { Direction, type RekeyPolicy, type SecureChannel } from './secure-channel.ts';
import { SecurityLevel } from './security-level.ts';
import { sealWithSuite } from './suite-aead.ts';
import { checkX25519PublicKey } from './x25519-public-key.ts';
import { SealedError } from '../protocol/sealed-error.ts';
import { UsageErrorCode } from '../protocol/usage-error-codes.ts';

/** Why the client aborted a handshake. */
export type ClientHandshakeFailure = 'MALFORMED' | 'DOWNGRADE' | 'SERVER_KEY_MISMATCH' | 'BAD_SIGNATURE' | 'BAD_PROOF' | 'INVALID_KEY';

/** What the client keeps between sending its hello and reading the server's. */
export interface PendingClientHandshake {
  level: SecurityLevel;
  ephemeral: RawKeyPair;
  nonce: Uint8Array;
  timestampMs: number;
  suites: readonly AeadSuite[];
  /** The ticket presented in the hello, if any. */
  ticket: Uint8Array | undefined;
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
 * Starts a handshake at `authenticated` or `encrypted` (message 1): a fresh
 * ephemeral key, a fresh nonce and the client's clock. Nothing in it is
 * secret or signed; the client proves itself in its finish, once it has the
 * server's contribution to sign.
 */
export function createClientHello(params: {
  crypto: CryptoProvider;
  level: SecurityLevel;
  nowMs: number;
  /** AEADs to offer, in order of preference. */
  suites?: readonly AeadSuite[];
  /** A ticket from an earlier connection to present, so the server may resume instead of running the full handshake. */
  ticket?: Uint8Array;
}): { hello: ClientHelloWire; pending: PendingClientHandshake } {
  const { crypto, level, nowMs } = params;
  const suites = params.suites ?? CLIENT_SUITE_OFFER;
  if (level === SecurityLevel.NONE) throw new SealedError(UsageErrorCode.INVALID_SECURITY_LEVEL, 'Level "none" has no handshake');
  const ephemeral = crypto.x25519KeyPair();
  const nonce = crypto.randomBytes(CLIENT_NONCE_BYTES);
  return {
    hello: {
      v: HANDSHAKE_VERSION,
      level,
      e: toBase64(ephemeral.publicKey),
      n: toBase64(nonce),
      ts: nowMs,
      suites: [...suites],
      ...(params.ticket ? { ticket: toBase64(params.ticket) } : {}),
    },
    pending: { level, ephemeral, nonce, timestampMs: nowMs, suites, ticket: params.ticket },
  };
}

/** A server hello the client accepted: its finish to send, and the channel every later frame goes through. */
export interface ClientHandshakeResult {
  ok: true;
  /** The data of `sealed:finish`. */
  finish: ClientFinishWire;
  level: SecurityLevel;
  suite: AeadSuite;
  serverIdentity: Uint8Array;
  channel: SecureChannel;
  /** What the secrets of this session's resumption tickets come from; the caller zeroes it. */
  resumptionSecret: Uint8Array;
  /** Whether the server took the client's ticket instead of running the full handshake. */
  resumed: boolean;
}

/**
 * Reads the server hello (message 2) and answers it (message 3): refuses any
 * level other than the one asked for (no downgrade) and any suite it did not
 * offer, checks the server identity against the configured or pinned key,
 * verifies the server's signature over the transcript (only then is a new
 * key pinned), signs the transcript and the credentials with the client
 * identity, and seals identity, signature and credentials under the finish
 * key. The channel's keys come from the session hash, which covers all of
 * it. The ephemeral secret and the shared secret are zeroed whatever happens.
 */
export async function answerServerHello(params: {
  crypto: CryptoProvider;
  pending: PendingClientHandshake;
  /** The data of `sealed:handshake`. */
  reply: unknown;
  identity: RawKeyPair;
  /** The credentials as UTF-8 JSON: the server hands what they parse to to `authenticateFn`. */
  credentials: Uint8Array;
  trust: ServerKeyTrust;
  nowMs: number;
  rekey?: RekeyPolicy;
}): Promise<ClientHandshakeResult | { ok: false; code: ClientHandshakeFailure }> {
  const { crypto, pending } = params;
  const fail = (failure: ClientHandshakeFailure): { ok: false; code: ClientHandshakeFailure } => ({ ok: false, code: failure });
  let shared: Uint8Array | undefined;
  let key: Uint8Array | undefined;
  try {
    const reply = readServerHello(params.reply);
    if (!reply) return fail('MALFORMED');
    if (reply.level !== pending.level) return fail('DOWNGRADE');
    const { ephemeral, identity, signature, suite } = reply;
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
      timestampMs: pending.timestampMs,
      clientEphemeral: pending.ephemeral.publicKey,
      clientNonce: pending.nonce,
      serverEphemeral: ephemeral,
      serverIdentity: identity,
    });
    if (!crypto.ed25519Verify(identity, serverSignedMessage(transcript), signature)) return fail('BAD_SIGNATURE');
    if (unpinned) await pins.set(pinName, toBase64(identity));

    shared = ephemeralSharedSecret(crypto, pending.ephemeral.secretKey, ephemeral);
    key = finishKey(crypto, shared, transcript);
    const clientIdentity = params.identity;
    const clientSignature = crypto.ed25519Sign(clientIdentity.secretKey, clientSignedMessage(crypto, transcript, params.credentials));
    const plaintext = encodeClientFinish({ identity: clientIdentity.publicKey, signature: clientSignature, credentials: params.credentials });
    const box = await sealWithSuite(crypto, suite, key, FINISH_NONCE, plaintext, transcript);
    zeroize(plaintext);

    const session = sessionHash(crypto, transcript, clientIdentity.publicKey, params.credentials);
    const { channel, resumptionSecret } = establishSession({
      crypto,
      sendDirection: Direction.CLIENT_TO_SERVER,
      keyMaterial: shared,
      session,
      level: reply.level,
      suite,
      rekey: params.rekey,
      nowMs: params.nowMs,
    });
    return { ok: true, finish: { box: toBase64(box) }, level: reply.level, suite, serverIdentity: identity, channel, resumptionSecret, resumed: false };
  } catch {
    return fail('INVALID_KEY');
  } finally {
    zeroize(pending.ephemeral.secretKey);
    zeroize(shared);
    zeroize(key);
  }
}
