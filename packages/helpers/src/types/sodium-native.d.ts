/** The libsodium calls Sealed uses, as `sodium-native` 5 exports them; every buffer may be any Uint8Array view. */
declare module 'sodium-native' {
  interface Sodium {
    /** RFC 8439 ChaCha20-Poly1305 (IETF, 96-bit nonce): writes the ciphertext followed by the tag into `ciphertext` (message length + 16). */
    crypto_aead_chacha20poly1305_ietf_encrypt(
      ciphertext: Uint8Array,
      message: Uint8Array,
      additionalData: Uint8Array | null,
      nsec: null,
      nonce: Uint8Array,
      key: Uint8Array,
    ): number;
    /** Throws when the tag does not verify; writes no plaintext then. */
    crypto_aead_chacha20poly1305_ietf_decrypt_detached(
      message: Uint8Array,
      nsec: null,
      ciphertext: Uint8Array,
      mac: Uint8Array,
      additionalData: Uint8Array | null,
      nonce: Uint8Array,
      key: Uint8Array,
    ): void;
    /** X25519 (RFC 7748): `q = n * p`. Throws when the result is all zeros (a low-order `p`). */
    crypto_scalarmult(q: Uint8Array, n: Uint8Array, p: Uint8Array): void;
    /** X25519 public key of a secret scalar. */
    crypto_scalarmult_base(q: Uint8Array, n: Uint8Array): void;
    /** Ed25519 key pair from a 32-byte seed; the secret key is the seed followed by the public key. */
    crypto_sign_seed_keypair(publicKey: Uint8Array, secretKey: Uint8Array, seed: Uint8Array): void;
    /** Constant-time comparison of two buffers of the same length. */
    sodium_memcmp(a: Uint8Array, b: Uint8Array): boolean;
    crypto_sign_detached(signature: Uint8Array, message: Uint8Array, secretKey: Uint8Array): void;
    crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
    /** The X25519 public key of an Ed25519 public key. Throws when it is not a valid point. */
    crypto_sign_ed25519_pk_to_curve25519(x25519PublicKey: Uint8Array, ed25519PublicKey: Uint8Array): void;
    /** Fills `buffer` from libsodium's CSPRNG (the operating system's, `getrandom` on Linux). */
    randombytes_buf(buffer: Uint8Array): void;
    /** SHA-256 of `message` into `digest` (32 bytes). */
    crypto_hash_sha256(digest: Uint8Array, message: Uint8Array): void;
    /** The X25519 secret of a 64-byte Ed25519 secret key. */
    crypto_sign_ed25519_sk_to_curve25519(x25519SecretKey: Uint8Array, ed25519SecretKey: Uint8Array): void;
  }
  const sodium: Sodium;
  export default sodium;
}
