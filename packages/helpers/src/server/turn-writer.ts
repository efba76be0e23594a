import type { Duplex } from 'node:stream';
import { ByteSlab } from './byte-slab.ts';
import { Opcode, frameHeaderLength, writeFrameHeader } from './websocket-frame.ts';

/** The buffer a socket's per-recipient frames are being built in during this turn. */
interface OpenRegion {
  buffer: Uint8Array;
  used: number;
}

/** A payload of known length that writes itself into the bytes it is given. */
export interface PayloadBuilder {
  readonly byteLength: number;
  writeTo(target: Uint8Array): void;
}

/**
 * Smallest first region of a socket in a turn. The first region is sized
 * to what sockets took on average in the previous turn (a room broadcast
 * gives every member the same bytes), so a turn usually needs one region per
 * socket; each further region is twice as large, up to the turn budget.
 */
const MIN_FIRST_REGION_BYTES = 2048;
/** Size of the shared buffers regions are cut from. */
const SLAB_BYTES = 256 * 1024;

/**
 * Coalesces the writes of one event-loop turn per socket: the first write of
 * a turn corks the socket and the next tick uncorks it, so twenty messages
 * to one socket in a turn cost one system call instead of twenty.
 *
 * Two kinds of writes: `writeFramed` hands over a whole frame as it is (one
 * built once for many sockets, for instance; no copy); `writeFrame` and
 * `writeFrameInPlace` build a frame for this socket alone inside a region
 * cut from a shared slab, so the frames a socket gets in a turn share a few
 * buffers instead of costing a chunk and a write request each, and nothing
 * per message outlives the turn.
 *
 * Order is never changed. A socket holding `maxTurnBytes` is flushed at once,
 * and `flush(socket)` writes early (before a close frame that `ws` writes by
 * itself).
 */
export class TurnWriter {
  /** Sockets corked this turn, with the region their own frames are being built in. */
  readonly #corked = new Map<Duplex, OpenRegion | undefined>();
  readonly #slab = new ByteSlab(SLAB_BYTES);
  #flushScheduled = false;
  /** Own-frame bytes and sockets with own frames this turn, for the next turn's first region size. */
  #turnRegionBytes = 0;
  #turnRegionSockets = 0;
  #firstRegionBytes = MIN_FIRST_REGION_BYTES;

  constructor(private readonly maxTurnBytes: number) {}

  /** Writes a whole frame as it is, without copying (it may be shared by many sockets); its bytes must not change afterwards. */
  writeFramed(socket: Duplex, frame: Uint8Array): void {
    this.#cork(socket);
    this.#closeRegion(socket);
    socket.write(frame);
    this.#flushIfFull(socket, 0);
  }

  /** Writes one final, unmasked frame whose payload is `chunks` back to back, copied. */
  writeFrame(socket: Duplex, opcode: Opcode, chunks: readonly Uint8Array[]): void {
    let payloadLength = 0;
    for (const chunk of chunks) payloadLength += chunk.length;
    const frameLength = frameHeaderLength(payloadLength) + payloadLength;
    const region = this.#reserve(socket, frameLength);
    let at = writeFrameHeader(region.buffer, region.used - frameLength, opcode, payloadLength);
    for (const chunk of chunks) {
      region.buffer.set(chunk, at);
      at += chunk.length;
    }
    this.#flushIfFull(socket, region.used);
  }

  /**
   * Writes one final, unmasked frame whose `byteLength`-byte payload
   * `payload.writeTo` builds in place, synchronously. If it throws, nothing
   * is written and the error is rethrown.
   */
  writeFrameInPlace(socket: Duplex, opcode: Opcode, payload: PayloadBuilder): void {
    const payloadLength = payload.byteLength;
    const frameLength = frameHeaderLength(payloadLength) + payloadLength;
    const region = this.#reserve(socket, frameLength);
    const frameStart = region.used - frameLength;
    const payloadStart = writeFrameHeader(region.buffer, frameStart, opcode, payloadLength);
    try {
      payload.writeTo(region.buffer.subarray(payloadStart, payloadStart + payloadLength));
    } catch (error) {
      region.used = frameStart;
      throw error;
    }
    this.#flushIfFull(socket, region.used);
  }

  /** Writes what this turn holds for `socket` now. */
  flush(socket: Duplex): void {
    if (!this.#corked.has(socket)) return;
    this.#closeRegion(socket);
    this.#corked.delete(socket);
    socket.uncork();
  }

  #cork(socket: Duplex): void {
    if (this.#corked.has(socket)) return;
    socket.cork();
    this.#corked.set(socket, undefined);
    this.#scheduleFlush();
  }

  /** Hands the region's bytes to the socket (still corked); later own frames start a new region. */
  #closeRegion(socket: Duplex): void {
    const region = this.#corked.get(socket);
    if (!region) return;
    this.#corked.set(socket, undefined);
    if (region.used > 0 && socket.writable) socket.write(region.buffer.subarray(0, region.used));
  }

  /** Makes room for `length` more bytes in the socket's region: they are `[used - length, used)` on return. */
  #reserve(socket: Duplex, length: number): OpenRegion {
    this.#cork(socket);
    let region = this.#corked.get(socket);
    if (region && region.used + length > region.buffer.length) {
      const nextSize = Math.min(2 * region.buffer.length, this.maxTurnBytes);
      this.#closeRegion(socket);
      region = { buffer: this.#slab.take(Math.max(nextSize, length)), used: 0 };
      this.#corked.set(socket, region);
    } else if (!region) {
      region = { buffer: this.#slab.take(Math.max(this.#firstRegionBytes, length)), used: 0 };
      this.#corked.set(socket, region);
      this.#turnRegionSockets += 1;
    }
    region.used += length;
    this.#turnRegionBytes += length;
    return region;
  }

  #flushIfFull(socket: Duplex, regionBytes: number): void {
    if (socket.writableLength + regionBytes >= this.maxTurnBytes) this.flush(socket);
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    process.nextTick(this.#flushAll);
  }

  readonly #flushAll = (): void => {
    this.#flushScheduled = false;
    for (const socket of this.#corked.keys()) this.flush(socket);
    if (this.#turnRegionSockets > 0) {
      const average = Math.ceil(this.#turnRegionBytes / this.#turnRegionSockets);
      this.#firstRegionBytes = Math.min(Math.max(average, MIN_FIRST_REGION_BYTES), this.maxTurnBytes);
    }
    this.#turnRegionBytes = 0;
    this.#turnRegionSockets = 0;
  };
}
