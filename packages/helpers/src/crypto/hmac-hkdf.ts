import { createHmac } from 'node:crypto';
import { CryptoSizes } from './crypto-provider.ts';

/** RFC 5869 §2.3: the expand step yields at most 255 blocks of the hash's length. */
const MAX_EXPAND_BLOCKS = 255;
const HASH = 'sha256';

function hmac(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const mac = createHmac(HASH, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/**
 * HKDF-SHA-256 (RFC 5869) over OpenSSL's HMAC: extract, then expand. The
 * same bytes as `hkdfSync('sha256', …)`, without the two key objects that
 * call builds for every derivation (about half its cost, and garbage with
 * native handles for the collector); a handshake derives five keys.
 *
 * @throws RangeError when `length` is more than 255 blocks of 32 bytes.
 */
export function hmacHkdfSha256(inputKey: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const blocks = Math.ceil(length / CryptoSizes.SHA256_BYTES);
  if (!Number.isInteger(length) || length < 0 || blocks > MAX_EXPAND_BLOCKS) {
    throw new RangeError(`HKDF-SHA-256 yields 0 to ${MAX_EXPAND_BLOCKS * CryptoSizes.SHA256_BYTES} bytes`);
  }
  // An absent salt is a block of zeros (§2.2); HMAC pads a shorter key with zeros, so an empty one is the same.
  const pseudorandomKey = hmac(salt, inputKey);
  const output = new Uint8Array(length);
  let previous: Uint8Array = new Uint8Array(0);
  const counter = new Uint8Array(1);
  for (let block = 1; block <= blocks; block += 1) {
    counter[0] = block;
    const next = hmac(pseudorandomKey, previous, info, counter);
    // Every block is key material: none is left behind unzeroed.
    previous.fill(0);
    previous = next;
    const at = (block - 1) * CryptoSizes.SHA256_BYTES;
    output.set(previous.subarray(0, Math.min(CryptoSizes.SHA256_BYTES, length - at)), at);
  }
  pseudorandomKey.fill(0);
  previous.fill(0);
  return output;
}
