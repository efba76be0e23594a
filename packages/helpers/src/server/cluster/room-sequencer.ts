import type { RoomPosition, StreamPosition } from '../../protocol/room-position.ts';

/** Options of a {@link RoomSequencer}. */
export interface RoomSequencerInit {
  /** Longest a message waits for a missing earlier offset, in ms; then the gap is skipped. */
  holdMs: number;
  /** Most messages held per room; one more skips the gap at once. */
  maxHeld: number;
  /** Told when a room's missing offsets are given up on: `missing` messages of it never reach this instance's members. */
  onGapSkipped: (room: string, missing: number) => void;
}

/** What became of a message given to {@link RoomSequencer.order}. */
export type SequencedAs = 'delivered' | 'held' | 'late';

/** A message waiting for its turn. */
interface Held {
  readonly offset: number;
  readonly deliver: () => void;
}

/** What the sequencer knows of one room's stream on this instance. */
interface RoomStream {
  epoch: string;
  /** The offset delivered next. */
  next: number;
  /** Messages ahead of `next`, by offset. */
  readonly held: Map<number, Held>;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Puts the positioned messages of each room back in offset order on one
 * instance. Across instances the offsets come from one shared store, but
 * the messages reach an instance by two paths (its own sends, and other
 * instances' over the bus), so offset 6 may arrive before offset 5. A
 * message ahead of the next expected offset waits, up to `holdMs`, for the
 * ones before it; a gap that does not fill by then (its message was lost
 * on the bus) is skipped, and a message older than one delivered is
 * dropped: a client never sees a room go backwards. A new epoch
 * starts over at the message that names it.
 */
export class RoomSequencer {
  readonly #streams = new Map<string, RoomStream>();

  constructor(private readonly init: RoomSequencerInit) {}

  /**
   * Runs `deliver` now (`delivered`), later in offset order (`held`), or
   * never, for a message older than one already delivered or a repeat of
   * one (`late`).
   */
  order(position: RoomPosition, deliver: () => void): SequencedAs {
    const stream = this.#streams.get(position.room);
    if (!stream || stream.epoch !== position.epoch) {
      if (stream) this.#flushHeld(stream);
      this.#streams.set(position.room, { epoch: position.epoch, next: position.offset + 1, held: new Map(), timer: undefined });
      deliver();
      return 'delivered';
    }
    if (position.offset < stream.next || stream.held.has(position.offset)) return 'late';
    if (position.offset === stream.next) {
      stream.next += 1;
      deliver();
      this.#drain(stream);
      return 'delivered';
    }
    stream.held.set(position.offset, { offset: position.offset, deliver });
    if (stream.held.size > this.init.maxHeld) this.#skipGap(position.room, stream);
    else stream.timer ??= setTimeout(() => this.#skipGap(position.room, stream), this.init.holdMs);
    return 'held';
  }

  /**
   * Starts a room it does not know yet after `top`, where a member here
   * just read the room's stream (a join): a message at or below `top`
   * that arrives later was in what that member read, and one above it
   * waits for those before it. A room it knows is left as it is.
   */
  expect(room: string, top: StreamPosition): void {
    if (this.#streams.has(room)) return;
    this.#streams.set(room, { epoch: top.epoch, next: top.offset + 1, held: new Map(), timer: undefined });
  }

  /** Forgets a room (no member left here): what it held is delivered, to whoever is still a member. */
  forget(room: string): void {
    const stream = this.#streams.get(room);
    if (!stream) return;
    this.#streams.delete(room);
    this.#flushHeld(stream);
  }

  /** Delivers everything held and stops every timer. */
  stop(): void {
    for (const stream of this.#streams.values()) this.#flushHeld(stream);
    this.#streams.clear();
  }

  /** Delivers what follows `next` without a gap. */
  #drain(stream: RoomStream): void {
    for (let held = stream.held.get(stream.next); held; held = stream.held.get(stream.next)) {
      stream.held.delete(held.offset);
      stream.next += 1;
      held.deliver();
    }
    if (stream.held.size === 0) this.#clearTimer(stream);
  }

  /** Gives up on the missing offsets: moves on to the lowest held one. */
  #skipGap(room: string, stream: RoomStream): void {
    this.#clearTimer(stream);
    if (stream.held.size === 0) return;
    const lowest = Math.min(...stream.held.keys());
    this.init.onGapSkipped(room, lowest - stream.next);
    stream.next = lowest;
    this.#drain(stream);
    if (stream.held.size > 0) stream.timer = setTimeout(() => this.#skipGap(room, stream), this.init.holdMs);
  }

  #flushHeld(stream: RoomStream): void {
    this.#clearTimer(stream);
    const held = [...stream.held.values()].sort((a, b) => a.offset - b.offset);
    stream.held.clear();
    for (const message of held) message.deliver();
  }

  #clearTimer(stream: RoomStream): void {
    clearTimeout(stream.timer);
    stream.timer = undefined;
  }
}
