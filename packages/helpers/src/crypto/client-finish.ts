import { concatBytes } from './bytes.ts';
import { CryptoSizes } from './crypto-provider.ts';

/**
 * The nonce of the finish box. A fixed nonce is safe here because the finish
 * key is used once: it comes from the server's fresh ephemeral key.
 */
export const FINISH_NONCE: Uint8Array = new Uint8Array(CryptoSizes.GCM_NONCE_BYTES);

/** What the finish box holds, opened. */
export interface ClientFinish {
  /** The client's Ed25519 identity public key. */
  identity: Uint8Array;
  /** Its signature over the client-signed message (TH and the credentials' hash). */
  signature: Uint8Array;
  /** The credentials, UTF-8 JSON, exactly as the client signed them. */
  credentials: Uint8Array;
}

/** The finish box's plaintext: identity (32 bytes), signature (64 bytes), then the credentials. */
export function encodeClientFinish(finish: ClientFinish): Uint8Array {
  return concatBytes(finish.identity, finish.signature, finish.credentials);
}

/** Splits an opened finish box; `undefined` when it is too short to hold an identity and a signature. */
export function decodeClientFinish(plaintext: Uint8Array): ClientFinish | undefined {
  const signatureEnd = CryptoSizes.ED25519_KEY_BYTES + CryptoSizes.ED25519_SIGNATURE_BYTES;
  if (plaintext.length < signatureEnd) return undefined;
  return {
    identity: plaintext.slice(0, CryptoSizes.ED25519_KEY_BYTES),
    signature: plaintext.slice(CryptoSizes.ED25519_KEY_BYTES, signatureEnd),
    credentials: plaintext.slice(signatureEnd),
  };
}
