import type { Duplex } from 'node:stream';

/**
 * A payload of known length that writes itself into the bytes it is given.
 * `writeTo` runs while the writer builds a socket's turn: it must not write
 * to, flush or close any socket.
 */
export interface PayloadBuilder {
  readonly byteLength: number;
  writeTo(target: Uint8Array): void;
}

/** Counts, for one send to many sockets, the deferred frames whose builder threw. */
export interface BuildTally {
  failed: number;
}

/** What one socket has waiting during the current turn of a `TurnWriter`, kept on the socket itself (`TURN`). */
export interface SocketTurn {
  /** The turn's only frame so far, when it came whole (`writeFramed`): held, the socket not corked, and written alone if nothing follows. */
  held: Uint8Array | undefined;
  /** Whether the socket is corked for this turn: only once the turn writes to it more than once. */
  corked: boolean;
  /** The region its own frames are being copied or built into, if any. */
  region: Uint8Array | undefined;
  /** Bytes of `region` in use. */
  used: number;
  /** Frames to build (builders) or copy (whole frames), in order, after the region's bytes. */
  deferred: Array<PayloadBuilder | Uint8Array> | undefined;
  /** The tally of each deferred frame's send, index for index; made only once a frame comes with a tally. */
  tallies: Array<BuildTally | undefined> | undefined;
  /** Their bytes, frame headers included. */
  deferredBytes: number;
  /**
   * Bytes the socket held unsent when the turn began, read once a turn
   * rather than once a frame. Until the turn corks the socket, nothing of
   * the turn has been written to it; the live figure moves only by control
   * frames `ws` writes by itself and by earlier writes completing. The
   * turn's budget counts by this figure until then, and the region's own
   * write reads the live one.
   */
  bufferedAtStart: number;
}

/**
 * Whole frames up to this size join the socket's region as copies once its
 * turn holds more than one frame; larger ones are written as they are, into
 * the corked socket. A copy into a region that was just written and given
 * back is a copy within the cache.
 */
export const LARGEST_COPIED_FRAME_BYTES = 4096;

/**
 * The property a socket keeps its current turn in, as `ws` keeps its own
 * state on the socket: a turn then costs no map entry to add and remove for
 * every socket it touches.
 */
export const TURN = Symbol('sealed.turn');

/** A socket as the writer sees it. */
export type TurnSocket = Duplex & { [TURN]?: SocketTurn | undefined };

/**
 * Whether a whole frame joins the socket's region as a copy: when it is
 * small, and the socket has nothing unsent (a socket that lags gets whole
 * frames as they are, shared, rather than copies that would wait with it).
 */
export function copies(turn: SocketTurn, frame: Uint8Array): boolean {
  return frame.length <= LARGEST_COPIED_FRAME_BYTES && turn.bufferedAtStart === 0;
}

/** A socket's turn as it begins, holding `held` if it began with a whole frame. */
export function newTurn(socket: Duplex, held: Uint8Array | undefined): SocketTurn {
  return { held, corked: false, region: undefined, used: 0, deferred: undefined, tallies: undefined, deferredBytes: 0, bufferedAtStart: socket.writableLength };
}

/** Queues a frame to build, or a whole frame to copy, into the region when the socket's turn is written. */
export function queueFrame(turn: SocketTurn, entry: PayloadBuilder | Uint8Array, tally: BuildTally | undefined, frameBytes: number): void {
  const deferred = turn.deferred;
  if (deferred) {
    deferred.push(entry);
  } else {
    // Sized to the one frame most turns hold for a socket; an empty array's first push reserves room for sixteen.
    turn.deferred = [entry];
  }
  if (turn.tallies) turn.tallies.push(tally);
  else if (tally) turn.tallies = [...new Array<undefined>(turn.deferred!.length - 1), tally];
  turn.deferredBytes += frameBytes;
}

