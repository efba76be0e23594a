import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  hkdfSync,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { CryptoSizes, type CryptoProvider, type RawKeyPair } from './crypto-provider.ts';

/** DER prefixes that wrap a raw 32-byte key as PKCS#8 or SPKI (RFC 8410). */
const DerPrefix = {
  X25519_PKCS8: Buffer.from('302e020100300506032b656e04220420', 'hex'),
  X25519_SPKI: Buffer.from('302a300506032b656e032100', 'hex'),
  ED25519_PKCS8: Buffer.from('302e020100300506032b657004220420', 'hex'),
  ED25519_SPKI: Buffer.from('302a300506032b6570032100', 'hex'),
} as const;

const AES_256_GCM = 'aes-256-gcm';
const GCM_OPTIONS = { authTagLength: CryptoSizes.GCM_TAG_BYTES } as const;

function asBytes(buffer: Buffer | ArrayBuffer): Uint8Array {
  return buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function privateKey(prefix: Buffer, raw: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([prefix, raw]), format: 'der', type: 'pkcs8' });
}

function publicKey(prefix: Buffer, raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([prefix, raw]), format: 'der', type: 'spki' });
}

function rawPublicKey(key: KeyObject, prefix: Buffer): Uint8Array {
  return asBytes(createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(prefix.length));
}

/**
 * The primitives on `node:crypto` (OpenSSL): what the server and Node
 * clients use. X25519 and Ed25519 run 15-30 times faster than pure JS here.
 */
export class NodeCryptoProvider implements CryptoProvider {
  readonly name = 'node:crypto';

  randomBytes(length: number): Uint8Array {
    return asBytes(randomBytes(length));
  }

  x25519KeyPair(): RawKeyPair {
    const secretKey = this.randomBytes(CryptoSizes.X25519_KEY_BYTES);
    const key = privateKey(DerPrefix.X25519_PKCS8, secretKey);
    return { secretKey, publicKey: rawPublicKey(key, DerPrefix.X25519_SPKI) };
  }

  x25519(secretKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
    return asBytes(
      diffieHellman({
        privateKey: privateKey(DerPrefix.X25519_PKCS8, secretKey),
        publicKey: publicKey(DerPrefix.X25519_SPKI, peerPublicKey),
      }),
    );
  }

  ed25519KeyPair(): RawKeyPair {
    const secretKey = this.randomBytes(CryptoSizes.ED25519_KEY_BYTES);
    return { secretKey, publicKey: this.ed25519PublicKey(secretKey) };
  }

  ed25519PublicKey(secretKey: Uint8Array): Uint8Array {
    return rawPublicKey(privateKey(DerPrefix.ED25519_PKCS8, secretKey), DerPrefix.ED25519_SPKI);
  }

  ed25519Sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
    return asBytes(sign(null, message, privateKey(DerPrefix.ED25519_PKCS8, secretKey)));
  }

  ed25519Verify(publicKeyBytes: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    if (publicKeyBytes.length !== CryptoSizes.ED25519_KEY_BYTES) return false;
    if (signature.length !== CryptoSizes.ED25519_SIGNATURE_BYTES) return false;
    try {
      return verify(null, message, publicKey(DerPrefix.ED25519_SPKI, publicKeyBytes), signature);
    } catch {
      return false;
    }
  }

  sha256(data: Uint8Array): Uint8Array {
    return asBytes(createHash('sha256').update(data).digest());
  }

  hkdfSha256(inputKey: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    return asBytes(hkdfSync('sha256', inputKey, salt, info, length));
  }

  aesGcmSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    const cipher = createCipheriv(AES_256_GCM, key, nonce, GCM_OPTIONS);
    cipher.setAAD(aad);
    const head = cipher.update(plaintext);
    const tail = cipher.final();
    return asBytes(Buffer.concat([head, tail, cipher.getAuthTag()]));
  }

  aesGcmOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | undefined {
    if (sealed.length < CryptoSizes.GCM_TAG_BYTES) return undefined;
    const tagStart = sealed.length - CryptoSizes.GCM_TAG_BYTES;
    const decipher = createDecipheriv(AES_256_GCM, key, nonce, GCM_OPTIONS);
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(tagStart));
    const head = decipher.update(sealed.subarray(0, tagStart));
    try {
      // final() checks the tag (NIST SP 800-38D §7.2); until it passes, `head` is never returned.
      const tail = decipher.final();
      return asBytes(tail.length === 0 ? head : Buffer.concat([head, tail]));
    } catch {
      head.fill(0);
      return undefined;
    }
  }
}
