import { concatBytes, utf8Encode } from './bytes.ts';
import { CryptoSizes, type CryptoProvider } from './crypto-provider.ts';
import { HandshakeLabel } from './handshake-transcript.ts';

/**
 * What a resumption derives its keys from: the fresh X25519 shared secret,
 * then the ticket's secret (as TLS 1.3 `psk_dhe_ke` mixes its exchange and
 * its pre-shared key). Someone who later learns the ticket secret still
 * lacks the exchange, so a resumed session keeps forward secrecy. The
 * caller zeroes it.
 */
export function resumeKeyMaterial(shared: Uint8Array, ticketSecret: Uint8Array): Uint8Array {
  return concatBytes(shared, ticketSecret);
}

/** The server's proof that it opened the ticket: only a holder of the ticket secret and of the exchange can make it. */
export function resumeProof(crypto: CryptoProvider, material: Uint8Array, transcript: Uint8Array): Uint8Array {
  return crypto.hkdfSha256(material, transcript, utf8Encode(HandshakeLabel.RESUME_PROOF), CryptoSizes.AES256_KEY_BYTES);
}

/** The one-use key that seals the credentials in a resumption's finish. */
export function resumeFinishKey(crypto: CryptoProvider, material: Uint8Array, transcript: Uint8Array): Uint8Array {
  return crypto.hkdfSha256(material, transcript, utf8Encode(HandshakeLabel.RESUME_FINISH_KEY), CryptoSizes.AES256_KEY_BYTES);
}
