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
 * Derives the traffic keys from an X25519 exchange (RFC 5869): one
 * HKDF-SHA-256 expansion of 64 bytes with the transcript hash as salt,
 * split into the client-to-server key (first 32 bytes) and the
 * server-to-client key (last 32). The raw ECDH output is never used as a
 * key, and is zeroed once used.
 *
 * @throws WeakSharedSecretError when the shared secret is all zeros.
 */
export function deriveTrafficKeys(
  crypto: CryptoProvider,
  ephemeralSecretKey: Uint8Array,
  peerEphemeralPublicKey: Uint8Array,
  transcript: Uint8Array,
): TrafficKeys {
  const shared = crypto.x25519(ephemeralSecretKey, peerEphemeralPublicKey);
  try {
    if (isAllZero(shared)) throw new WeakSharedSecretError();
    const keys = crypto.hkdfSha256(shared, transcript, utf8Encode(HandshakeLabel.TRAFFIC_KEYS), 2 * CryptoSizes.AES256_KEY_BYTES);
    // Copies, so each key can be zeroed on its own; then the joined output is zeroed.
    const clientToServer = keys.slice(0, CryptoSizes.AES256_KEY_BYTES);
    const serverToClient = keys.slice(CryptoSizes.AES256_KEY_BYTES);
    zeroize(keys);
    return { clientToServer, serverToClient };
  } finally {
    zeroize(shared);
  }
}

/** The next key of one direction: one-way, so a later key never reveals an earlier one. */
export function nextTrafficKey(crypto: CryptoProvider, key: Uint8Array, transcript: Uint8Array): Uint8Array {
  return crypto.hkdfSha256(key, transcript, utf8Encode(HandshakeLabel.REKEY), CryptoSizes.AES256_KEY_BYTES);
}
