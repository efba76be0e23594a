/**
 * Server-to-client WebSocket framing (RFC 6455 §5.2): a final, unmasked
 * frame, so a message can be framed once and the same bytes written to many
 * sockets.
 */
import { writeUint64 } from '../../crypto/bytes.ts';

export const Opcode = {
  TEXT: 0x1,
  BINARY: 0x2,
} as const;

export type Opcode = (typeof Opcode)[keyof typeof Opcode];

const FIN = 0x80;
const LENGTH_16_MARKER = 126;
const LENGTH_64_MARKER = 127;
const MAX_7_BIT_LENGTH = 125;
const MAX_16_BIT_LENGTH = 0xffff;

const SHORT_HEADER_BYTES = 2;
const MEDIUM_HEADER_BYTES = 4;
const LONG_HEADER_BYTES = 10;
const LENGTH_FIELD_OFFSET = 2;
const BITS_PER_BYTE = 8;
const LOW_BYTE = 0xff;

/** Bytes of the header of a frame carrying `payloadLength` bytes: 2, 4 or 10. */
export function frameHeaderLength(payloadLength: number): number {
  if (payloadLength <= MAX_7_BIT_LENGTH) return SHORT_HEADER_BYTES;
  return payloadLength <= MAX_16_BIT_LENGTH ? MEDIUM_HEADER_BYTES : LONG_HEADER_BYTES;
}

/**
 * Writes the header of a final, unmasked frame carrying `payloadLength`
 * bytes into `target` at `offset`; returns where the payload starts.
 */
export function writeFrameHeader(target: Uint8Array, offset: number, opcode: Opcode, payloadLength: number): number {
  target[offset] = FIN | opcode;
  if (payloadLength <= MAX_7_BIT_LENGTH) {
    target[offset + 1] = payloadLength;
    return offset + SHORT_HEADER_BYTES;
  }
  if (payloadLength <= MAX_16_BIT_LENGTH) {
    target[offset + 1] = LENGTH_16_MARKER;
    target[offset + LENGTH_FIELD_OFFSET] = payloadLength >>> BITS_PER_BYTE;
    target[offset + LENGTH_FIELD_OFFSET + 1] = payloadLength & LOW_BYTE;
    return offset + MEDIUM_HEADER_BYTES;
  }
  target[offset + 1] = LENGTH_64_MARKER;
  writeUint64(target, offset + LENGTH_FIELD_OFFSET, payloadLength);
  return offset + LONG_HEADER_BYTES;
}

/** Bytes of a whole frame carrying `payloadLength` bytes, header included. */
export function frameLength(payloadLength: number): number {
  return frameHeaderLength(payloadLength) + payloadLength;
}

/**
 * Writes a final, unmasked text frame of `text`, whose UTF-8 form is
 * `byteLength` bytes, into `target` at `offset`; returns where it ends.
 */
export function writeTextFrame(target: Buffer, offset: number, text: string, byteLength: number): number {
  const payloadStart = writeFrameHeader(target, offset, Opcode.TEXT, byteLength);
  return payloadStart + target.write(text, payloadStart, byteLength, 'utf8');
}

/** A whole frame in one buffer: header and payload. */
export function frameOnce(opcode: Opcode, payload: Buffer | Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(frameLength(payload.length));
  frame.set(payload, writeFrameHeader(frame, 0, opcode, payload.length));
  return frame;
}
