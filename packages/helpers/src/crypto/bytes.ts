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
const BASE64_LOOKUP = new Map([...BASE64_ALPHABET].map((char, index) => [char, index]));

/** Standard base64 with padding (RFC 4648 §4). */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    out += BASE64_ALPHABET[a >> 2];
    out += BASE64_ALPHABET[((a & 0x03) << 4) | ((b ?? 0) >> 4)];
    out += b === undefined ? '=' : BASE64_ALPHABET[((b & 0x0f) << 2) | ((c ?? 0) >> 6)];
    out += c === undefined ? '=' : BASE64_ALPHABET[c & 0x3f];
  }
  return out;
}

/**
 * Decodes standard padded base64, strictly: any other character, a wrong
 * length or non-zero padding bits are refused.
 *
 * @returns the bytes, or `undefined` when the text is not canonical base64.
 */
export function fromBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let outIndex = 0;
  for (let i = 0; i < text.length; i += 4) {
    const quad = [0, 1, 2, 3].map((offset) => {
      const char = text[i + offset]!;
      if (char === '=' && i + 4 === text.length && offset >= 4 - padding) return 0;
      return BASE64_LOOKUP.get(char) ?? -1;
    });
    if (quad.some((value) => value < 0)) return undefined;
    const [a, b, c, d] = quad as [number, number, number, number];
    const triple = (a << 18) | (b << 12) | (c << 6) | d;
    if (outIndex < out.length) out[outIndex++] = triple >> 16;
    if (outIndex < out.length) out[outIndex++] = (triple >> 8) & 0xff;
    if (outIndex < out.length) out[outIndex++] = triple & 0xff;
  }
  return toBase64(out) === text ? out : undefined;
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
