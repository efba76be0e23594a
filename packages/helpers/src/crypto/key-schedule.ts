import { isAllZero, utf8Encode, zeroize } from './bytes.ts';
import { CryptoSizes, type CryptoProvider } from './crypto-provider.ts';
import { HandshakeLabel } from './handshake-transcript.ts';

/** The two traffic keys of a connection, one per direction. */
export interface TrafficKeys {
  clientToServer: Uint8Array;
  serverToClient: Uint8Array;
}

/** Thrown when the X25519 output is all zeros: the peer sent a low-order point. */
export class WeakSharedSecretError extends Error {
  constructor() {
    super('X25519 produced an all-zero shared secret');
    this.name = 'WeakSharedSecretError';
  }
}

/**
 * Derives the traffic keys from an X25519 exchange (RFC 5869): HKDF-SHA-256
 * with the transcript hash as salt and a label per direction as info. The
 * raw ECDH output is never used as a key, and is zeroed once used.
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
    return {
      clientToServer: crypto.hkdfSha256(shared, transcript, utf8Encode(HandshakeLabel.CLIENT_TO_SERVER_KEY), CryptoSizes.AES256_KEY_BYTES),
      serverToClient: crypto.hkdfSha256(shared, transcript, utf8Encode(HandshakeLabel.SERVER_TO_CLIENT_KEY), CryptoSizes.AES256_KEY_BYTES),
    };
  } finally {
    zeroize(shared);
  }
}

/** The next key of one direction: one-way, so a later key never reveals an earlier one. */
export function nextTrafficKey(crypto: CryptoProvider, key: Uint8Array, transcript: Uint8Array): Uint8Array {
  return crypto.hkdfSha256(key, transcript, utf8Encode(HandshakeLabel.REKEY), CryptoSizes.AES256_KEY_BYTES);
}
