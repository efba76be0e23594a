/**
 * Server-to-client WebSocket framing (RFC 6455 §5.2): a final, unmasked
 * frame, so a message can be framed once and the same bytes written to many
 * sockets.
 */
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

/** The 2-, 4- or 10-byte header of a final, unmasked frame carrying `payloadLength` bytes. */
export function frameHeader(opcode: Opcode, payloadLength: number): Buffer {
  if (payloadLength <= MAX_7_BIT_LENGTH) {
    const header = Buffer.allocUnsafe(2);
    header[0] = FIN | opcode;
    header[1] = payloadLength;
    return header;
  }
  if (payloadLength <= MAX_16_BIT_LENGTH) {
    const header = Buffer.allocUnsafe(4);
    header[0] = FIN | opcode;
    header[1] = LENGTH_16_MARKER;
    header.writeUInt16BE(payloadLength, 2);
    return header;
  }
  const header = Buffer.allocUnsafe(10);
  header[0] = FIN | opcode;
  header[1] = LENGTH_64_MARKER;
  header.writeBigUInt64BE(BigInt(payloadLength), 2);
  return header;
}

/** A whole frame in one buffer: header and payload. */
export function frameOnce(opcode: Opcode, payload: Buffer | Uint8Array): Buffer {
  const header = frameHeader(opcode, payload.length);
  const frame = Buffer.allocUnsafe(header.length + payload.length);
  header.copy(frame, 0);
  frame.set(payload, header.length);
  return frame;
}
