import { utf8Encode } from '../crypto/bytes.ts';

/** Most UTF-8 bytes one UTF-16 code unit takes. */
const MAX_UTF8_BYTES_PER_CODE_UNIT = 3;

/** Whether an inbound frame, as the socket handed it over, is longer than `maxBytes`. */
export function isLargerThan(raw: unknown, maxBytes: number): boolean {
  if (typeof raw === 'string') {
    // Text arrives decoded: only a frame near the limit is encoded again to count its bytes.
    if (raw.length * MAX_UTF8_BYTES_PER_CODE_UNIT <= maxBytes) return false;
    return raw.length > maxBytes || utf8Encode(raw).byteLength > maxBytes;
  }
  if (raw instanceof ArrayBuffer || ArrayBuffer.isView(raw)) return raw.byteLength > maxBytes;
  return false;
}
