/**
 * Byte helpers that run unchanged in Node and browsers (no `Buffer`).
 */

/** Joins byte arrays into one new array. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Compares two byte arrays in time that depends only on their length. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

/** True when every byte is zero, checked in time that depends only on the length. */
export function isAllZero(bytes: Uint8Array): boolean {
  let accumulated = 0;
  for (let i = 0; i < bytes.length; i += 1) accumulated |= bytes[i]!;
  return accumulated === 0;
}

/** Overwrites key material in place. */
export function zeroize(bytes: Uint8Array | undefined): void {
  bytes?.fill(0);
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

export function utf8Encode(text: string): Uint8Array {
  return textEncoder.encode(text);
}

/** @throws TypeError when the bytes are not valid UTF-8. */
export function utf8Decode(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_PAD = '='.charCodeAt(0);
/** Character code -> 6-bit value; -1 for characters outside the alphabet. */
const BASE64_VALUES = (() => {
  const values = new Int8Array(128).fill(-1);
  for (let index = 0; index < BASE64_ALPHABET.length; index += 1) values[BASE64_ALPHABET.charCodeAt(index)] = index;
  return values;
})();
/** The value of one base64 character; -1 outside the alphabet. */
function base64Value(text: string, at: number): number {
  const code = text.charCodeAt(at);
  return code < BASE64_VALUES.length ? BASE64_VALUES[code]! : -1;
}

/** Bytes turned into characters per call of `String.fromCharCode`, below engines' argument limits. */
const BYTES_PER_CALL = 4096;

/**
 * Standard base64 with padding (RFC 4648 §4), by the platform's `btoa`
 * (browsers, Node 16+) over the bytes as a binary string: a flat string
 * made natively, several times faster than building it in JavaScript, and
 * no rope of one node per piece kept alive with it (a replay store's
 * nonces, a pin store's keys).
 */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let start = 0; start < bytes.length; start += BYTES_PER_CALL) {
    binary += String.fromCharCode.apply(null, bytes.subarray(start, start + BYTES_PER_CALL) as unknown as number[]);
  }
  return btoa(binary);
}

/**
 * Decodes standard padded base64, strictly: any other character, a wrong
 * length or non-zero padding bits are refused (RFC 4648 §3.5), so each byte
 * string has exactly one accepted text.
 *
 * @returns the bytes, or `undefined` when the text is not canonical base64.
 */
export function fromBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const padding = text.charCodeAt(text.length - 1) === BASE64_PAD ? (text.charCodeAt(text.length - 2) === BASE64_PAD ? 2 : 1) : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  const fullQuads = padding === 0 ? text.length : text.length - 4;
  let outIndex = 0;
  for (let i = 0; i < fullQuads; i += 4) {
    const a = base64Value(text, i);
    const b = base64Value(text, i + 1);
    const c = base64Value(text, i + 2);
    const d = base64Value(text, i + 3);
    if ((a | b | c | d) < 0) return undefined;
    out[outIndex++] = (a << 2) | (b >> 4);
    out[outIndex++] = ((b & 0x0f) << 4) | (c >> 2);
    out[outIndex++] = ((c & 0x03) << 6) | d;
  }
  if (padding === 0) return out;
  // The last quad: two or three characters, then the padding; the bits past the last byte must be zero.
  const a = base64Value(text, fullQuads);
  const b = base64Value(text, fullQuads + 1);
  if ((a | b) < 0) return undefined;
  out[outIndex++] = (a << 2) | (b >> 4);
  if (padding === 2) return (b & 0x0f) === 0 ? out : undefined;
  const c = base64Value(text, fullQuads + 2);
  if (c < 0) return undefined;
  out[outIndex] = ((b & 0x0f) << 4) | (c >> 2);
  return (c & 0x03) === 0 ? out : undefined;
}

/** Base64url without padding (RFC 4648 §5): the standard alphabet's `+` and `/` as `-` and `_`, and no `=`. */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Decodes unpadded base64url strictly, as {@link fromBase64} decodes base64:
 * `+`, `/`, `=` or any other character outside the alphabet, an impossible
 * length or non-zero spare bits are refused.
 *
 * @returns the bytes, or `undefined` when the text is not canonical unpadded base64url.
 */
export function fromBase64Url(text: string): Uint8Array | undefined {
  if (/[+/=]/.test(text) || text.length % 4 === 1) return undefined;
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  return fromBase64(padded);
}

const BITS_PER_BYTE = 8;
const UINT32_BYTES = 4;
const TWO_TO_THE_32 = 0x1_0000_0000;

/** Writes a 32-bit unsigned integer as 4 big-endian bytes. */
export function writeUint32(target: Uint8Array, offset: number, value: number): void {
  for (let i = UINT32_BYTES - 1; i >= 0; i -= 1) {
    target[offset + i] = value & 0xff;
    value >>>= BITS_PER_BYTE;
  }
}

/** Writes a safe integer as 8 big-endian bytes. */
export function writeUint64(target: Uint8Array, offset: number, value: number): void {
  writeUint32(target, offset, Math.floor(value / TWO_TO_THE_32));
  writeUint32(target, offset + UINT32_BYTES, value >>> 0);
}

/** Reads 8 big-endian bytes; values at or above 2^53 come back as `undefined`. */
export function readUint64(source: Uint8Array, offset: number): number | undefined {
  const view = new DataView(source.buffer, source.byteOffset, source.byteLength);
  const high = view.getUint32(offset);
  const low = view.getUint32(offset + 4);
  if (high >= 0x20_0000) return undefined;
  return high * 0x1_0000_0000 + low;
}
