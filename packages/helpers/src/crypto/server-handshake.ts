import { SERVER_SUITE_PREFERENCE, chooseAeadSuite, type AeadSuite } from './aead-suite.ts';
import { toBase64, zeroize } from './bytes.ts';
import type { CryptoProvider, RawKeyPair } from './crypto-provider.ts';
import { isFreshHello, proofOf, readClientHello, type ServerHelloWire } from './handshake-messages.ts';
import { HANDSHAKE_VERSION, serverSignedMessage, transcriptHash } from './handshake-transcript.ts';
import { deriveTrafficKeys } from './key-schedule.ts';
import { checkPin, type PinStore } from './pin-store.ts';
import type { ReplayGuard } from './replay-guard.ts';
import { Direction, SecureChannel, type RekeyPolicy } from './secure-channel.ts';
import { SecurityLevel } from './security-level.ts';
import { checkX25519PublicKey } from './x25519-public-key.ts';

/** Why the server refused a handshake. */
export type HandshakeRefusal =
  | 'MISSING'
  | 'MALFORMED'
  | 'UNSUPPORTED_VERSION'
  | 'LEVEL_NOT_ACCEPTED'
  | 'INVALID_KEY'
  | 'STALE'
  | 'REPLAYED'
  | 'BAD_PROOF'
  | 'NO_COMMON_SUITE'
  | 'CLIENT_KEY_MISMATCH';

/** What the server needs to answer one client hello. */
export interface ServerHandshakeParams {
  crypto: CryptoProvider;
  /** The server's long-term Ed25519 identity. */
  identity: RawKeyPair;
  acceptedLevels: readonly SecurityLevel[];
  /** `data.sealed` of the `authenticate` payload, as received; `undefined` when absent. */
  hello: unknown;
  clientId: string;
  userId: string;
  nowMs: number;
  /** How far the client's clock may be from ours. */
  maxClockSkewMs: number;
  replayGuard: ReplayGuard;
  /** Client identity keys, pinned per user id. */
  clientKeyPins: PinStore;
  rekey?: RekeyPolicy;
  /** Told each time a channel from this handshake moves to its next key. */
  onRekey?: () => void;
  /** AEADs the server runs, in its order of preference. */
  suites?: readonly AeadSuite[];
}

/** A completed server handshake: the reply for `connected.sealed` and, at `encrypted`, the channel. */
export interface ServerHandshakeResult {
  ok: true;
  level: SecurityLevel;
  reply: ServerHelloWire;
  channel: SecureChannel | undefined;
}

/**
 * The responder's side of the handshake (token pattern, in the manner of
 * Noise: `-> e, n, s, proof(s)  <- e, ee, sig(TH)`): checks the client's key
 * material and proof of identity, pins the client key per user, signs the
 * transcript with the server identity and derives the traffic keys.
 */
export async function respondToClientHello(
  params: ServerHandshakeParams,
): Promise<ServerHandshakeResult | { ok: false; code: HandshakeRefusal }> {
  const refuse = (refusal: HandshakeRefusal): { ok: false; code: HandshakeRefusal } => ({ ok: false, code: refusal });
  const { crypto, acceptedLevels } = params;

  if (params.hello === undefined) {
    if (!acceptedLevels.includes(SecurityLevel.NONE)) return refuse('MISSING');
    return {
      ok: true,
      level: SecurityLevel.NONE,
      reply: { v: HANDSHAKE_VERSION, level: SecurityLevel.NONE, accepted: [...acceptedLevels] },
      channel: undefined,
    };
  }

  const hello = readClientHello(params.hello);
  if (!hello) return refuse('MALFORMED');
  if (hello.version !== HANDSHAKE_VERSION) return refuse('UNSUPPORTED_VERSION');
  if (hello.level === SecurityLevel.NONE || !acceptedLevels.includes(hello.level)) return refuse('LEVEL_NOT_ACCEPTED');
  if (checkX25519PublicKey(hello.ephemeral)) return refuse('INVALID_KEY');
  if (!isFreshHello(hello, params.nowMs, params.maxClockSkewMs)) return refuse('STALE');
  if (!crypto.ed25519Verify(hello.identity, proofOf(hello), hello.signature)) return refuse('BAD_PROOF');
  const suite = chooseAeadSuite(params.suites ?? SERVER_SUITE_PREFERENCE, hello.suites);
  if (!suite) return refuse('NO_COMMON_SUITE');
  if (!params.replayGuard.remember(toBase64(hello.nonce), params.nowMs)) return refuse('REPLAYED');
  if ((await checkPin(params.clientKeyPins, params.userId, hello.identity)) === 'MISMATCH') {
    return refuse('CLIENT_KEY_MISMATCH');
  }

  const ephemeral = crypto.x25519KeyPair();
  try {
    const transcript = transcriptHash(crypto, {
      level: hello.level,
      acceptedLevels,
      offeredSuites: hello.suites,
      suite,
      clientEphemeral: hello.ephemeral,
      clientNonce: hello.nonce,
      clientIdentity: hello.identity,
      serverEphemeral: ephemeral.publicKey,
      serverIdentity: params.identity.publicKey,
      clientId: params.clientId,
      userId: params.userId,
    });
    const signature = crypto.ed25519Sign(params.identity.secretKey, serverSignedMessage(transcript));
    let channel: SecureChannel | undefined;
    if (hello.level === SecurityLevel.ENCRYPTED) {
      const keys = deriveTrafficKeys(crypto, ephemeral.secretKey, hello.ephemeral, transcript);
      channel = new SecureChannel({
        crypto,
        sendDirection: Direction.SERVER_TO_CLIENT,
        sendKey: keys.serverToClient,
        receiveKey: keys.clientToServer,
        transcript,
        rekey: params.rekey,
        onRekey: params.onRekey,
        suite,
        nowMs: params.nowMs,
      });
    }
    return {
      ok: true,
      level: hello.level,
      channel,
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
