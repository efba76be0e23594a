import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { CryptoSizes, type CryptoProvider, type RawKeyPair } from './crypto-provider.ts';
import { SealedError } from '../protocol/sealed-error.ts';
import { UsageErrorCode } from '../protocol/usage-error-codes.ts';

const AES_GCM = 'AES-GCM';
const TAG_BITS = CryptoSizes.GCM_TAG_BYTES * 8;

function subtle(): SubtleCrypto {
  const api = globalThis.crypto?.subtle;
  if (!api) throw new SealedError(UsageErrorCode.WEBCRYPTO_UNAVAILABLE, 'WebCrypto (crypto.subtle) is not available; a secure context (https or localhost) is required');
  return api;
}

/** A copy backed by a plain ArrayBuffer, as WebCrypto's typings require. */
function owned(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/**
 * The primitives without native code: `@noble/curves` for X25519 and Ed25519,
 * `@noble/hashes` for SHA-256 and HKDF, WebCrypto for AES-GCM,
 * `@noble/ciphers` for ChaCha20-Poly1305 (which WebCrypto lacks). What
 * browsers use; slower than `node:crypto` but the same bytes.
 */
export class PortableCryptoProvider implements CryptoProvider {
  readonly name = 'noble+webcrypto';
  readonly #aesKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();

  randomBytes(length: number): Uint8Array {
    return globalThis.crypto.getRandomValues(new Uint8Array(length));
  }

  x25519KeyPair(): RawKeyPair {
    const secretKey = x25519.utils.randomSecretKey();
    return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
  }

  x25519(secretKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
    return x25519.getSharedSecret(secretKey, peerPublicKey);
  }

  ed25519KeyPair(): RawKeyPair {
    const secretKey = ed25519.utils.randomSecretKey();
    return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
  }

  ed25519PublicKey(secretKey: Uint8Array): Uint8Array {
    return ed25519.getPublicKey(secretKey);
  }

  ed25519Sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
    return ed25519.sign(message, secretKey);
  }

  ed25519PublicToX25519(publicKey: Uint8Array): Uint8Array {
    return ed25519.utils.toMontgomery(publicKey);
  }

  ed25519SecretToX25519(secretKey: Uint8Array): Uint8Array {
    return ed25519.utils.toMontgomerySecret(secretKey);
  }

  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    if (publicKey.length !== CryptoSizes.ED25519_KEY_BYTES) return false;
    if (signature.length !== CryptoSizes.ED25519_SIGNATURE_BYTES) return false;
    try {
      // RFC 8032 strict verification, as OpenSSL does, not ZIP-215.
      return ed25519.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  }

  sha256(data: Uint8Array): Uint8Array {
    return sha256(data);
  }

  hkdfSha256(inputKey: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    return hkdf(sha256, inputKey, salt, info, length);
  }

  async aesGcmSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    const sealed = await subtle().encrypt(
      { name: AES_GCM, iv: owned(nonce), additionalData: owned(aad), tagLength: TAG_BITS },
      await this.#importKey(key),
      owned(plaintext),
    );
    return new Uint8Array(sealed);
  }

  chacha20Poly1305Seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    return chacha20poly1305(key, nonce, aad).encrypt(plaintext);
  }

  chacha20Poly1305Open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | undefined {
    if (sealed.length < CryptoSizes.GCM_TAG_BYTES) return undefined;
    try {
      return chacha20poly1305(key, nonce, aad).decrypt(sealed);
    } catch {
      return undefined;
    }
  }

  async aesGcmOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array | undefined> {
    if (sealed.length < CryptoSizes.GCM_TAG_BYTES) return undefined;
    try {
      const plaintext = await subtle().decrypt(
        { name: AES_GCM, iv: owned(nonce), additionalData: owned(aad), tagLength: TAG_BITS },
        await this.#importKey(key),
        owned(sealed),
      );
      return new Uint8Array(plaintext);
    } catch {
      return undefined;
    }
  }

  /** Imports each key once; the cache holds it only while the key bytes are alive. */
  #importKey(key: Uint8Array): Promise<CryptoKey> {
    let imported = this.#aesKeys.get(key);
    if (!imported) {
      imported = subtle().importKey('raw', owned(key), AES_GCM, false, ['encrypt', 'decrypt']);
      this.#aesKeys.set(key, imported);
    }
    return imported;
  }
}
