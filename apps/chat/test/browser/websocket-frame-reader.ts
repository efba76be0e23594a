/** One WebSocket frame read off the wire (RFC 6455 §5.2), unmasked. */
export interface WireFrame {
  opcode: number;
  payload: Buffer;
}

/** RFC 6455 §5.2 opcodes. */
export const Opcode = { TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;

const HEADER_END = '\r\n\r\n';
const LENGTH_16 = 126;
const LENGTH_64 = 127;

/** The HTTP head of one direction of a captured WebSocket connection: the upgrade request, or the server's answer. */
export function readUpgradeHead(stream: Buffer): string {
  const headEnd = stream.indexOf(HEADER_END);
  return headEnd === -1 ? '' : stream.subarray(0, headEnd).toString('latin1');
}

/** One header's value in an HTTP head (names compared without regard to case). */
export function headerValue(head: string, name: string): string | undefined {
  const prefix = `${name.toLowerCase()}:`;
  const line = head.split('\r\n').find((candidate) => candidate.toLowerCase().startsWith(prefix));
  return line?.slice(prefix.length).trim();
}

/**
 * Reads the frames of one direction of a captured WebSocket connection: skips
 * the HTTP upgrade head, then parses frames, unmasking client frames.
 */
export function readWireFrames(stream: Buffer): WireFrame[] {
  const headEnd = stream.indexOf(HEADER_END);
  if (headEnd === -1) return [];
  const frames: WireFrame[] = [];
  let offset = headEnd + HEADER_END.length;
  while (offset + 2 <= stream.length) {
    const opcode = stream[offset]! & 0x0f;
    const masked = (stream[offset + 1]! & 0x80) !== 0;
    let length = stream[offset + 1]! & 0x7f;
    offset += 2;
    if (length === LENGTH_16) {
      length = stream.readUInt16BE(offset);
      offset += 2;
    } else if (length === LENGTH_64) {
      length = Number(stream.readBigUInt64BE(offset));
      offset += 8;
    }
    const mask = masked ? stream.subarray(offset, offset + 4) : undefined;
    if (masked) offset += 4;
    if (offset + length > stream.length) break;
    const payload = Buffer.from(stream.subarray(offset, offset + length));
    if (mask) for (let i = 0; i < payload.length; i += 1) payload[i]! ^= mask[i % 4]!;
    frames.push({ opcode, payload });
    offset += length;
  }
  return frames;
}
