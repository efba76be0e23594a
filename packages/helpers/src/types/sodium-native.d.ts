/** The libsodium calls Sealed uses, as `sodium-native` 5 exports them. */
declare module 'sodium-native' {
  interface Sodium {
    /** RFC 8439 ChaCha20-Poly1305 (IETF, 96-bit nonce), ciphertext and tag written separately. */
    crypto_aead_chacha20poly1305_ietf_encrypt_detached(
      ciphertext: Buffer,
      mac: Buffer,
      message: Buffer,
      additionalData: Buffer | null,
      nsec: null,
      nonce: Buffer,
      key: Buffer,
    ): number;
    /** Throws when the tag does not verify; writes no plaintext then. */
    crypto_aead_chacha20poly1305_ietf_decrypt_detached(
      message: Buffer,
      nsec: null,
      ciphertext: Buffer,
      mac: Buffer,
      additionalData: Buffer | null,
      nonce: Buffer,
      key: Buffer,
    ): void;
    /** X25519 (RFC 7748): `q = n * p`. Throws when the result is all zeros (a low-order `p`). */
    crypto_scalarmult(q: Buffer, n: Buffer, p: Buffer): void;
    /** X25519 public key of a secret scalar. */
    crypto_scalarmult_base(q: Buffer, n: Buffer): void;
    /** Ed25519 key pair from a 32-byte seed; the secret key is the seed followed by the public key. */
    crypto_sign_seed_keypair(publicKey: Buffer, secretKey: Buffer, seed: Buffer): void;
    crypto_sign_detached(signature: Buffer, message: Buffer, secretKey: Buffer): void;
    crypto_sign_verify_detached(signature: Buffer, message: Buffer, publicKey: Buffer): boolean;
  }
  const sodium: Sodium;
  export default sodium;
}
