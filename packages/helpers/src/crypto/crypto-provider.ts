/** An X25519 or Ed25519 key pair as raw 32-byte keys. */
export interface RawKeyPair {
  /** The 32-byte secret key (X25519 scalar, or Ed25519 seed). */
  secretKey: Uint8Array;
  /** The 32-byte public key. */
  publicKey: Uint8Array;
}

/**
 * The primitives the secure channel needs, behind one interface so each
 * runtime uses its fastest implementation: `node:crypto` on Node,
 * `@noble/curves` with WebCrypto in browsers. Every method takes and returns
 * raw bytes; none touches sockets, clocks or logs.
 *
 * Key agreement and signatures are synchronous everywhere; AES-GCM may be
 * asynchronous (WebCrypto only offers it that way). An asynchronous seal or
 * open reads its nonce and AAD before it returns: the caller may write those
 * buffers again as soon as the call returns.
 */
export interface CryptoProvider {
  /** Names the implementation, for diagnostics. */
  readonly name: string;
  randomBytes(length: number): Uint8Array;
  /** A fresh X25519 key pair (RFC 7748). */
  x25519KeyPair(): RawKeyPair;
  /**
   * The X25519 shared secret. Callers validate the peer key first
   * (`checkX25519PublicKey`); implementations may also refuse low-order input.
   */
  x25519(secretKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array;
  /** A fresh Ed25519 key pair (RFC 8032). */
  ed25519KeyPair(): RawKeyPair;
  /** The Ed25519 public key of a 32-byte seed. */
  ed25519PublicKey(secretKey: Uint8Array): Uint8Array;
  ed25519Sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array;
  /**
   * The X25519 public key of the same key pair as an Ed25519 public key (the
   * birational map of RFC 7748 §4.1). Throws for a key that is not a valid
   * point.
   */
  ed25519PublicToX25519(publicKey: Uint8Array): Uint8Array;
  /** The X25519 secret of an Ed25519 seed: the clamped first half of SHA-512(seed) (RFC 8032 §5.1.5). */
  ed25519SecretToX25519(secretKey: Uint8Array): Uint8Array;
  /** False for any malformed key or signature; never throws. */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  sha256(data: Uint8Array): Uint8Array;
  /** HKDF-SHA-256 (RFC 5869), extract and expand. */
  hkdfSha256(inputKey: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** AES-256-GCM with a 96-bit nonce and a 128-bit tag appended to the ciphertext. */
  aesGcmSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /**
   * Optional: the same as `aesGcmSeal`, synchronously, into `output`
   * (`plaintext.length + 16` bytes: ciphertext, then tag). Providers that
   * offer it let a server seal each recipient's frame straight into the
   * socket's outgoing bytes.
   */
  aesGcmSealInto?(output: Uint8Array, key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): void;
  /** ChaCha20-Poly1305 (RFC 8439 §2.8): a 96-bit nonce and a 128-bit tag appended to the ciphertext. */
  chacha20Poly1305Seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** Optional: the same as `chacha20Poly1305Seal`, synchronously, into `output` (ciphertext, then tag). */
  chacha20Poly1305SealInto?(output: Uint8Array, key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): void;
  /** Verifies the tag before any plaintext exists; `undefined` when it does not verify. */
  chacha20Poly1305Open(
    key: Uint8Array,
    nonce: Uint8Array,
    sealed: Uint8Array,
    aad: Uint8Array,
  ): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  /**
   * Verifies the tag before any plaintext exists.
   *
   * @returns the plaintext, or `undefined` when the tag does not verify.
   */
  aesGcmOpen(
    key: Uint8Array,
    nonce: Uint8Array,
    sealed: Uint8Array,
    aad: Uint8Array,
  ): Uint8Array | undefined | Promise<Uint8Array | undefined>;
}

/** Sizes fixed by the primitives. */
export const CryptoSizes = Object.freeze({
  X25519_KEY_BYTES: 32,
  ED25519_KEY_BYTES: 32,
  ED25519_SIGNATURE_BYTES: 64,
  SHA256_BYTES: 32,
  AES256_KEY_BYTES: 32,
  GCM_NONCE_BYTES: 12,
  GCM_TAG_BYTES: 16,
});
