import type { Duplex } from 'node:stream';
import { ByteSlab } from './byte-slab.ts';
import { releasesWrittenBytes } from './raw-socket.ts';
import {
  TURN,
  copies,
  newTurn,
  queueFrame,
  type BuildTally,
  type PayloadBuilder,
  type SocketTurn,
  type TurnSocket,
} from './socket-turn.ts';
import { WriteCoalescing } from '../server-settings.ts';
import { Opcode, frameLength, writeFrameHeader } from './websocket-frame.ts';

/** Construction parameters of a {@link TurnWriter}. */
export interface TurnWriterInit {
  /** A socket holding this many bytes in a turn is written at once. */
  maxTurnBytes: number;
  /** Called for each deferred frame whose builder threw; the frame is left out. */
  onBuildFailure: (socket: Duplex, error: unknown) => void;
  /** When a turn's writes go out: on the next tick (the default), or when the event loop's poll phase ends. */
  coalescing?: WriteCoalescing;
  /** When above 0, a turn lasts this many milliseconds instead (writes are delayed to be batched); `coalescing` then does not apply. */
  delayMs?: number;
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
 * Coalesces the writes of one event-loop turn per socket, so twenty messages
 * to one socket in a turn cost one system call instead of twenty. The frames
 * of one socket's turn gather in one region, written with one call at the
 * end of the turn. A turn whose only write to a socket is one frame (one
 * message per turn, as a chat server's relay does) costs one plain write: a
 * whole frame is held and written as it is, an in-place frame is built into
 * a region of its exact size. The socket is corked only when a turn writes
 * to it more than once (a whole frame too large to copy beside a region, or
 * a region that filled up), and uncorked at the end of the turn.
 *
 * Regions are cut from a shared slab. A region whose bytes a plain TCP
 * socket took at once is given back, and the next socket's region reuses
 * the same memory, still in cache. A socket that still holds unsent bytes
 * gets whole frames as they are and its region as a copy of its own, so a
 * slow reader never keeps a shared slab alive.
 *
 * Three kinds of writes: `writeFramed` hands over a whole frame (one built
 * once for many sockets, for instance), held as it is while it is the
 * turn's only frame and copied into the region once others join it (unless
 * larger than `LARGEST_COPIED_FRAME_BYTES`, or the socket lags);
 * `writeFrame` copies a frame for this socket alone into the region;
 * `deferFrame` queues a frame built in place later, when the socket's turn
 * is written. Deferred frames of one socket are built together, one after
 * another into one region: per-socket state such as keys stays hot in cache
 * across them, and what outlives the turn is a region per socket, not a
 * chunk and a write request per frame.
 *
 * Order is never changed. A socket holding `maxTurnBytes` is written at
 * once, and `flush(socket)` writes early (before a close frame that `ws`
 * writes by itself).
 *
 * The writer owns every data frame of a socket; `ws` writes only control
 * frames to it: heartbeat pings, pongs, and the close frame. Frames written
 * as they are keep their place among those; frames copied or built into a
 * region go out when the region closes, so a ping or
 * pong written meanwhile may precede them, which RFC 6455 §5.5 allows
 * (control frames may come between any two frames). Data frames never
 * change order, and the connection controller flushes before every close,
 * so the close frame follows everything queued before it
 * (`test/server/delivery.test.ts`, "writes to one socket").
 */
export class TurnWriter {
  /** Sockets given a turn since the last flush of all, in order; one flushed early may be listed again. */
  readonly #active: TurnSocket[] = [];
  readonly #slab = new ByteSlab(SLAB_BYTES);
  #flushScheduled = false;
  /** The pending delayed flush, when `delayMs` is set. */
  #delayTimer: ReturnType<typeof setTimeout> | undefined;
  /** Resolves the promise `whenWritten` handed out for the turn being collected. */
  #onTurnWritten: (() => void) | undefined;
  #turnWritten: Promise<void> | undefined;
  /** Region bytes and sockets with a region this turn, for the next turn's first region size. */
  #turnRegionBytes = 0;
  #turnRegionSockets = 0;
  #firstRegionBytes = MIN_FIRST_REGION_BYTES;
  /** The region deferred frames are being built into, never given back while they are. */
  #building: Uint8Array | undefined;

  constructor(private readonly init: TurnWriterInit) {}

  /** Writes a whole frame (it may be shared by many sockets): as it is when it is the turn's only frame or large, else copied; its bytes must not change afterwards. */
  writeFramed(socket: Duplex, frame: Uint8Array): void {
    const existing = (socket as TurnSocket)[TURN];
    if (!existing) {
      this.#begin(socket, newTurn(socket, frame));
      if (frame.length >= this.init.maxTurnBytes) this.flush(socket);
      return;
    }
    if (copies(existing, frame)) {
      queueFrame(this.#turn(socket), frame, undefined, frame.length);
    } else {
      this.#corked(socket, existing);
      this.#closeRegion(socket, existing);
      socket.write(frame);
    }
    this.#flushIfFull(socket, existing);
  }

  /** Writes one final, unmasked frame whose payload is `chunks` back to back, copied. */
  writeFrame(socket: Duplex, opcode: Opcode, chunks: readonly Uint8Array[]): void {
    const turn = this.#turn(socket);
    this.#buildDeferred(socket, turn, false);
    let payloadLength = 0;
    for (const chunk of chunks) payloadLength += chunk.length;
    const bytes = frameLength(payloadLength);
    const region = this.#reserve(socket, turn, bytes);
    let at = writeFrameHeader(region, turn.used - bytes, opcode, payloadLength);
    for (const chunk of chunks) {
      region.set(chunk, at);
      at += chunk.length;
    }
    this.#flushIfFull(socket, turn);
  }

  /**
   * Queues one final, unmasked binary frame whose `byteLength`-byte payload
   * `payload.writeTo` builds in place when the socket's turn is written: at
   * the end of the turn, or before any other kind of write to the socket. A
   * builder that throws then leaves its frame out and is reported to
   * `onBuildFailure` and counted in `tally`; the frames around it are written.
   */
  deferFrame(socket: Duplex, payload: PayloadBuilder, tally?: BuildTally): void {
    const turn = this.#turn(socket);
    queueFrame(turn, payload, tally, frameLength(payload.byteLength));
    this.#flushIfFull(socket, turn);
  }

  /**
   * Resolves once every frame deferred so far has been built and handed to
   * its socket, or left out: at the end of the turn being collected, or at
   * once when none is.
   */
  whenWritten(): Promise<void> {
    if (!this.#flushScheduled) return Promise.resolve();
    this.#turnWritten ??= new Promise<void>((resolve) => {
      this.#onTurnWritten = resolve;
    });
    return this.#turnWritten;
  }

  /** Writes what this turn holds for `socket` now. */
  flush(socket: Duplex): void {
    const turn = (socket as TurnSocket)[TURN];
    if (!turn) return;
    (socket as TurnSocket)[TURN] = undefined;
    if (turn.held) {
      if (socket.writable) socket.write(turn.held);
      return;
    }
    this.#closeRegion(socket, turn);
    if (turn.corked) socket.uncork();
  }

  /**
   * Schedules the end of the turn now, for writes that come later in it: the
   * turn then ends where it would have, had they been made now (with
   * `coalescing` by loop iteration, before callbacks scheduled after this call).
   */
  holdTurnOpen(): void {
    this.#scheduleFlush();
  }

  /** Writes what `socket` has waiting now when writes are delayed (`delayMs`); otherwise leaves it for the end of the turn. */
  expedite(socket: Duplex): void {
    if ((this.init.delayMs ?? 0) > 0) this.flush(socket);
  }

  /** The socket's state for this turn, for bytes that go into its region: a frame it holds goes first, queued to be copied or, when large, written. */
  #turn(socket: Duplex): SocketTurn {
    const turn = (socket as TurnSocket)[TURN];
    if (!turn) {
      const started = newTurn(socket, undefined);
      this.#begin(socket, started);
      return started;
    }
    const held = turn.held;
    if (!held) return turn;
    if (copies(turn, held)) {
      turn.held = undefined;
      queueFrame(turn, held, undefined, held.length);
      return turn;
    }
    return this.#corked(socket, turn);
  }

  /** Gives the socket its turn, listed for the next flush of all. */
  #begin(socket: Duplex, turn: SocketTurn): void {
    (socket as TurnSocket)[TURN] = turn;
    this.#active.push(socket);
    this.#scheduleFlush();
  }

  /** Corks the socket before the turn's second write to it; a frame the turn holds is written first. */
  #corked(socket: Duplex, turn: SocketTurn): SocketTurn {
    if (turn.corked) return turn;
    socket.cork();
    turn.corked = true;
    const held = turn.held;
    if (held) {
      turn.held = undefined;
      socket.write(held);
    }
    return turn;
  }

  /** Builds or copies the deferred frames at the end of the region; `closing`: the region is written right after, so a new one needs no spare room. */
  #buildDeferred(socket: Duplex, turn: SocketTurn, closing: boolean): void {
    const entries = turn.deferred;
    if (!entries) return;
    const tallies = turn.tallies;
    const bytes = turn.deferredBytes;
    turn.deferred = undefined;
    turn.tallies = undefined;
    turn.deferredBytes = 0;
    const region = this.#reserve(socket, turn, bytes, closing);
    const outerBuilding = this.#building;
    this.#building = region;
    let at = turn.used - bytes;
    for (let index = 0; index < entries.length; index += 1) {
      const entry = entries[index]!;
      if (entry instanceof Uint8Array) {
        region.set(entry, at);
        at += entry.length;
        continue;
      }
      const builder = entry;
      const payloadStart = writeFrameHeader(region, at, Opcode.BINARY, builder.byteLength);
      try {
        builder.writeTo(region.subarray(payloadStart, payloadStart + builder.byteLength));
        at = payloadStart + builder.byteLength;
      } catch (error) {
        const tally = tallies?.[index];
        if (tally) tally.failed += 1;
        this.init.onBuildFailure(socket, error);
      }
    }
    this.#building = outerBuilding;
    // A frame left out leaves its room unused at the end.
    turn.used = at;
  }

  /**
   * Builds what is deferred and hands the region's bytes to the socket
   * (corked if the turn writes to it again); later frames start a new
   * region. The region goes back to the slab once nothing references it:
   * when its bytes went out as a copy, or at once to the kernel.
   */
  #closeRegion(socket: Duplex, turn: SocketTurn): void {
    this.#buildDeferred(socket, turn, true);
    const region = turn.region;
    if (!region) return;
    const used = turn.used;
    turn.region = undefined;
    turn.used = 0;
    if (used > 0 && socket.writable) {
      // A region cut to its frames' exact size (one socket's deferred frames of a turn) goes as it is, without a view of it.
      const bytes = used === region.length ? region : region.subarray(0, used);
      if (socket.writableLength > 0) {
        // Bytes a socket cannot take at once stay referenced until it can: a copy of their own (`Buffer.from` copies, from Node's pool when small), not a share of the slab.
        socket.write(Buffer.from(bytes));
      } else {
        socket.write(bytes);
        if (socket.writableLength > 0 || !releasesWrittenBytes(socket)) return;
      }
    }
    if (region !== this.#building) this.#slab.giveBack(region);
  }

  /**
   * Makes room for `length` more bytes in the socket's region: they are
   * `[used - length, used)` on return. A new region is cut to `length`
   * exactly when `exact` (nothing more goes into it).
   */
  #reserve(socket: Duplex, turn: SocketTurn, length: number, exact = false): Uint8Array {
    if (turn.region && turn.used + length > turn.region.length) {
      const nextSize = Math.min(2 * turn.region.length, this.init.maxTurnBytes);
      // The full region is written now, and more follows in this turn.
      this.#corked(socket, turn);
      this.#closeRegion(socket, turn);
      turn.region = this.#slab.take(Math.max(nextSize, length));
    } else if (!turn.region) {
      turn.region = this.#slab.take(exact ? length : Math.max(this.#firstRegionBytes, length));
      this.#turnRegionSockets += 1;
    }
    turn.used += length;
    this.#turnRegionBytes += length;
    return turn.region;
  }

  #flushIfFull(socket: Duplex, turn: SocketTurn): void {
    const buffered = turn.corked ? socket.writableLength : turn.bufferedAtStart;
    if (buffered + turn.used + turn.deferredBytes >= this.init.maxTurnBytes) this.flush(socket);
  }

  /** Writes everything waiting, on every socket, now; a delayed flush still pending is cancelled. */
  flushAll(): void {
    if (this.#flushScheduled) this.#flushAll();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    const delayMs = this.init.delayMs ?? 0;
    if (delayMs > 0) this.#delayTimer = setTimeout(this.#flushAll, delayMs);
    else if (this.init.coalescing === WriteCoalescing.ITERATION) setImmediate(this.#flushAll);
    else process.nextTick(this.#flushAll);
  }

  readonly #flushAll = (): void => {
    // Scheduled flushes that find nothing to do (flushed early by flushAll) end here.
    if (!this.#flushScheduled) return;
    this.#flushScheduled = false;
    if (this.#delayTimer !== undefined) clearTimeout(this.#delayTimer);
    this.#delayTimer = undefined;
    const active = this.#active;
    // Read the length each time: a builder may start a turn for another socket meanwhile.
    for (let index = 0; index < active.length; index += 1) this.flush(active[index]!);
    active.length = 0;
    if (this.#turnRegionSockets > 0) {
      const average = Math.ceil(this.#turnRegionBytes / this.#turnRegionSockets);
      this.#firstRegionBytes = Math.min(Math.max(average, MIN_FIRST_REGION_BYTES), this.init.maxTurnBytes);
    }
    this.#turnRegionBytes = 0;
    this.#turnRegionSockets = 0;
    const onTurnWritten = this.#onTurnWritten;
    this.#onTurnWritten = undefined;
    this.#turnWritten = undefined;
    onTurnWritten?.();
  };
}
