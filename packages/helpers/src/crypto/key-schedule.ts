import { isAllZero, utf8Encode, zeroize } from './bytes.ts';
import { CryptoSizes, type CryptoProvider } from './crypto-provider.ts';
import { HandshakeLabel } from './handshake-transcript.ts';
import { SealedError } from '../protocol/sealed-error.ts';
import { UsageErrorCode } from '../protocol/usage-error-codes.ts';

/** The two traffic keys of a connection, one per direction. */
export interface TrafficKeys {
  clientToServer: Uint8Array;
  serverToClient: Uint8Array;
}

/** Thrown when the X25519 output is all zeros: the peer sent a low-order point. */
export class WeakSharedSecretError extends SealedError {
  constructor() {
    super(UsageErrorCode.WEAK_SHARED_SECRET, 'X25519 produced an all-zero shared secret');
    this.name = 'WeakSharedSecretError';
  }
}

/**
 * The X25519 shared secret of the two ephemeral keys. The raw output is never
 * used as a key: it only feeds HKDF below. The caller zeroes it once the keys
 * it needs exist.
 *
 * @throws WeakSharedSecretError when the shared secret is all zeros.
 */
export function ephemeralSharedSecret(crypto: CryptoProvider, ephemeralSecretKey: Uint8Array, peerEphemeralPublicKey: Uint8Array): Uint8Array {
  const shared = crypto.x25519(ephemeralSecretKey, peerEphemeralPublicKey);
  if (isAllZero(shared)) {
    zeroize(shared);
    throw new WeakSharedSecretError();
  }
  return shared;
}

/**
 * The one-use key that seals the client's finish message (RFC 5869):
 * HKDF-SHA-256 of the shared secret, with TH as salt.
 */
export function finishKey(crypto: CryptoProvider, shared: Uint8Array, transcript: Uint8Array): Uint8Array {
  return crypto.hkdfSha256(shared, transcript, utf8Encode(HandshakeLabel.FINISH_KEY), CryptoSizes.AES256_KEY_BYTES);
}

/**
 * The traffic keys: one HKDF-SHA-256 expansion of 64 bytes of the shared
 * secret with the session hash SH as salt, split into the client-to-server
 * key (first 32 bytes) and the server-to-client key (last 32).
 */
export function deriveTrafficKeys(crypto: CryptoProvider, shared: Uint8Array, session: Uint8Array): TrafficKeys {
  const keys = crypto.hkdfSha256(shared, session, utf8Encode(HandshakeLabel.TRAFFIC_KEYS), 2 * CryptoSizes.AES256_KEY_BYTES);
  // Copies, so each key can be zeroed on its own; then the joined output is zeroed.
  const clientToServer = keys.slice(0, CryptoSizes.AES256_KEY_BYTES);
  const serverToClient = keys.slice(CryptoSizes.AES256_KEY_BYTES);
  zeroize(keys);
  return { clientToServer, serverToClient };
}

/** The next key of one direction: one-way, so a later key never reveals an earlier one. */
export function nextTrafficKey(crypto: CryptoProvider, key: Uint8Array, session: Uint8Array): Uint8Array {
  return crypto.hkdfSha256(key, session, utf8Encode(HandshakeLabel.REKEY), CryptoSizes.AES256_KEY_BYTES);
}

/**
 * The resumption secret of a connection: what its tickets' secrets come
 * from. HKDF-SHA-256 of the same key material as the traffic keys, with the
 * session hash as salt and its own label, so it reveals neither traffic key.
 */
export function resumptionSecret(crypto: CryptoProvider, keyMaterial: Uint8Array, session: Uint8Array): Uint8Array {
  return crypto.hkdfSha256(keyMaterial, session, utf8Encode(HandshakeLabel.RESUMPTION), CryptoSizes.AES256_KEY_BYTES);
}

/** The secret of one ticket: both sides derive it from the resumption secret and the ticket's id. */
export function ticketSecret(crypto: CryptoProvider, resumption: Uint8Array, ticketId: Uint8Array): Uint8Array {
  return crypto.hkdfSha256(resumption, ticketId, utf8Encode(HandshakeLabel.TICKET_SECRET), CryptoSizes.AES256_KEY_BYTES);
}
