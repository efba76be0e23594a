import { SERVER_SUITE_PREFERENCE, chooseAeadSuite, type AeadSuite } from './aead-suite.ts';
import { toBase64, zeroize } from './bytes.ts';
import { FINISH_NONCE, decodeClientFinish } from './client-finish.ts';
import type { CryptoProvider, RawKeyPair } from './crypto-provider.ts';
import { isFreshHello, readClientFinish, readClientHello, type ClientHello, type ServerHelloWire } from './handshake-messages.ts';
import { HANDSHAKE_VERSION, clientSignedMessage, serverSignedMessage, sessionHash, transcriptHash } from './handshake-transcript.ts';
import { ephemeralSharedSecret, finishKey } from './key-schedule.ts';
import { establishSession } from './session-keys.ts';
import type { ReplayStore } from './replay-store.ts';
import { Direction, type RekeyPolicy, type SecureChannel } from './secure-channel.ts';
import { SecurityLevel } from './security-level.ts';
import { openWithSuite } from './suite-aead.ts';
import { checkX25519PublicKey } from './x25519-public-key.ts';

/** Why the server refused a handshake. */
export type HandshakeRefusal =
  | 'MALFORMED'
  | 'UNSUPPORTED_VERSION'
  | 'LEVEL_NOT_ACCEPTED'
  | 'INVALID_KEY'
  | 'STALE'
  | 'NO_COMMON_SUITE'
  | 'BAD_FINISH'
  | 'BAD_PROOF'
  | 'REPLAYED'
  | 'REPLAY_STORE_UNAVAILABLE';

/** What the server needs to answer one client hello. */
export interface ServerHelloParams {
  crypto: CryptoProvider;
  /** The server's long-term Ed25519 identity. */
  identity: RawKeyPair;
  acceptedLevels: readonly SecurityLevel[];
  /** `data.sealed` of the `authenticate` payload, as received. */
  hello: unknown;
  nowMs: number;
  /** How far the client's clock may be from ours. */
  maxClockSkewMs: number;
  /** AEADs the server runs, in its order of preference. */
  suites?: readonly AeadSuite[];
}

/**
 * What the server keeps between its hello and the client's finish. Holds the
 * shared secret: hand it to {@link finishServerHandshake}, or to
 * {@link abandonServerHandshake} when the client goes first.
 */
export interface PendingServerHandshake {
  readonly level: SecurityLevel;
  readonly suite: AeadSuite;
  readonly transcript: Uint8Array;
  readonly nonce: Uint8Array;
  readonly shared: Uint8Array;
}

/** A hello the server answered: message 2, and what it keeps for message 3. */
export interface ServerHelloResult {
  ok: true;
  /** The data of `sealed:handshake`. */
  reply: ServerHelloWire;
  pending: PendingServerHandshake;
}

/**
 * Answers a client hello (message 2; in the manner of SIGMA and Noise XX:
 * `-> e  <- e, ee, s, sig(TH)  -> {s, sig(TH, credentials)}`): checks the
 * client's ephemeral key, freshness and offer, makes a fresh ephemeral key,
 * and signs the transcript with the server identity. Nothing the client
 * claims is trusted yet, and no credentials exist at this point.
 */
export function respondToClientHello(params: ServerHelloParams): ServerHelloResult | { ok: false; code: HandshakeRefusal } {
  const refuse = (refusal: HandshakeRefusal): { ok: false; code: HandshakeRefusal } => ({ ok: false, code: refusal });
  const { crypto, acceptedLevels } = params;
  const checked = checkClientHello(params);
  if (!checked.ok) return checked;
  const { hello } = checked;
  const suite = chooseAeadSuite(params.suites ?? SERVER_SUITE_PREFERENCE, hello.suites);
  if (!suite) return refuse('NO_COMMON_SUITE');

  const ephemeral = crypto.x25519KeyPair();
  try {
    const transcript = transcriptHash(crypto, {
      level: hello.level,
      acceptedLevels,
      offeredSuites: hello.suites,
      suite,
      timestampMs: hello.timestampMs,
      clientEphemeral: hello.ephemeral,
      clientNonce: hello.nonce,
      serverEphemeral: ephemeral.publicKey,
      serverIdentity: params.identity.publicKey,
    });
    const shared = ephemeralSharedSecret(crypto, ephemeral.secretKey, hello.ephemeral);
    const signature = crypto.ed25519Sign(params.identity.secretKey, serverSignedMessage(transcript));
    return {
      ok: true,
      pending: { level: hello.level, suite, transcript, nonce: hello.nonce, shared },
      reply: {
        v: HANDSHAKE_VERSION,
        level: hello.level,
        accepted: [...acceptedLevels],
        suite,
        e: toBase64(ephemeral.publicKey),
        id: toBase64(params.identity.publicKey),
        sig: toBase64(signature),
      },
    };
  } catch {
    return refuse('INVALID_KEY');
  } finally {
    zeroize(ephemeral.secretKey);
  }
}

/**
 * Decodes a client hello and checks what every answer to it needs, full
 * handshake or resumption: the version, an accepted level above `none`, an
 * ephemeral key that is not a low-order point, and a timestamp within
 * `maxClockSkewMs`.
 */
export function checkClientHello(
  params: Pick<ServerHelloParams, 'hello' | 'acceptedLevels' | 'nowMs' | 'maxClockSkewMs'>,
): { ok: true; hello: ClientHello } | { ok: false; code: HandshakeRefusal } {
  const refuse = (refusal: HandshakeRefusal): { ok: false; code: HandshakeRefusal } => ({ ok: false, code: refusal });
  const hello = readClientHello(params.hello);
  if (!hello) return refuse('MALFORMED');
  if (hello.version !== HANDSHAKE_VERSION) return refuse('UNSUPPORTED_VERSION');
  if (hello.level === SecurityLevel.NONE || !params.acceptedLevels.includes(hello.level)) return refuse('LEVEL_NOT_ACCEPTED');
  if (checkX25519PublicKey(hello.ephemeral)) return refuse('INVALID_KEY');
  if (!isFreshHello(hello, params.nowMs, params.maxClockSkewMs)) return refuse('STALE');
  return { ok: true, hello };
}

/** What the server needs to check one client finish. */
export interface ClientFinishParams {
  crypto: CryptoProvider;
  pending: PendingServerHandshake;
  /** The data of `sealed:finish`, as received. */
  finish: unknown;
  replayStore: ReplayStore;
  nowMs: number;
  rekey?: RekeyPolicy;
  /** Told each time a channel from this handshake moves to its next key. */
  onRekey?: () => void;
}

/** A finished server handshake: who the client proved to be, what it sent, and the channel. */
export interface ServerHandshakeResult {
  ok: true;
  level: SecurityLevel;
  /** The client identity key that signed the transcript (pin it per user once the user is known). */
  clientIdentity: Uint8Array;
  /** The credentials bytes (UTF-8 JSON) the client signed; not parsed here. */
  credentials: Uint8Array;
  channel: SecureChannel;
  /** What this session's resumption tickets' secrets come from; the caller zeroes it. */
  resumptionSecret: Uint8Array;
}

/**
 * Checks the client's finish (message 3): opens the finish box under the
 * finish key (so it was made by the holder of the client ephemeral secret
 * for this very server hello), verifies the client identity's signature over
 * the transcript and the credentials, then claims the client nonce in the
 * replay store. Only then are the credentials handed back, and the traffic
 * keys derived from the session hash. The shared secret is zeroed whatever
 * happens.
 */
export async function finishServerHandshake(params: ClientFinishParams): Promise<ServerHandshakeResult | { ok: false; code: HandshakeRefusal }> {
  const refuse = (refusal: HandshakeRefusal): { ok: false; code: HandshakeRefusal } => ({ ok: false, code: refusal });
  const { crypto, pending } = params;
  const key = finishKey(crypto, pending.shared, pending.transcript);
  try {
    const box = readClientFinish(params.finish);
    if (!box) return refuse('BAD_FINISH');
    const opened = await openWithSuite(crypto, pending.suite, key, FINISH_NONCE, box, pending.transcript);
    const finish = opened && decodeClientFinish(opened);
    if (!finish) return refuse('BAD_FINISH');
    const signed = clientSignedMessage(crypto, pending.transcript, finish.credentials);
    if (!crypto.ed25519Verify(finish.identity, signed, finish.signature)) return refuse('BAD_PROOF');
    const claim = await params.replayStore.claim(toBase64(pending.nonce), params.nowMs);
    if (claim === 'REPLAYED') return refuse('REPLAYED');
    if (claim !== 'FRESH') return refuse('REPLAY_STORE_UNAVAILABLE');

    const session = sessionHash(crypto, pending.transcript, finish.identity, finish.credentials);
    const { channel, resumptionSecret, peerIdentity } = establishSession({
      crypto,
      sendDirection: Direction.SERVER_TO_CLIENT,
      keyMaterial: pending.shared,
      session,
      level: pending.level,
      suite: pending.suite,
      rekey: params.rekey,
      onRekey: params.onRekey,
      nowMs: params.nowMs,
      peerIdentity: finish.identity,
    });
    return { ok: true, level: pending.level, clientIdentity: peerIdentity, credentials: finish.credentials, channel, resumptionSecret };
  } catch {
    return refuse('BAD_FINISH');
  } finally {
    zeroize(key);
    abandonServerHandshake(pending);
  }
}

/** Zeroes what a pending handshake holds; for a client that went before its finish. Idempotent. */
export function abandonServerHandshake(pending: PendingServerHandshake): void {
  zeroize(pending.shared);
}
