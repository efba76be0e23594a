import { AeadSuite } from './aead-suite.ts';
import type { CryptoProvider } from './crypto-provider.ts';

/** Seals with the provider's implementation of `suite`: ciphertext, then the 16-byte tag. */
export function sealWithSuite(
  crypto: CryptoProvider,
  suite: AeadSuite,
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Uint8Array | Promise<Uint8Array> {
  return suite === AeadSuite.CHACHA20_POLY1305
    ? crypto.chacha20Poly1305Seal(key, nonce, plaintext, aad)
    : crypto.aesGcmSeal(key, nonce, plaintext, aad);
}

/** Opens with the provider's implementation of `suite`; `undefined` when the tag does not verify. */
export function openWithSuite(
  crypto: CryptoProvider,
  suite: AeadSuite,
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array | undefined | Promise<Uint8Array | undefined> {
  return suite === AeadSuite.CHACHA20_POLY1305
    ? crypto.chacha20Poly1305Open(key, nonce, sealed, aad)
    : crypto.aesGcmOpen(key, nonce, sealed, aad);
}

/**
 * The provider's synchronous in-place seal for `suite`, when it has one:
 * the provider's method itself, not bound, so that a channel per connection
 * keeps no function of its own; call it with the provider as `this`.
 */
export function sealIntoWithSuite(crypto: CryptoProvider, suite: AeadSuite): CryptoProvider['aesGcmSealInto'] {
  return suite === AeadSuite.CHACHA20_POLY1305 ? crypto.chacha20Poly1305SealInto : crypto.aesGcmSealInto;
}
