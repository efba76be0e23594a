import type { RoomPosition, StreamPosition } from '../../protocol/room-position.ts';
import type { ValueOrPromise } from '../../types/value-or-promise.ts';

/** One message kept in a room's history. */
export interface HistoryEntry {
  readonly offset: number;
  readonly event: string;
  readonly data: unknown;
}

/** How much of a room's stream is kept. */
export interface HistoryLimits {
  /** Newest messages kept per room. */
  readonly maxMessages: number;
  /** Oldest message kept, in ms. */
  readonly maxAgeMs: number;
}

/** What a store has after a position. */
export interface HistorySince {
  /** The messages after the position, oldest first; empty unless `complete`. */
  readonly entries: readonly HistoryEntry[];
  /** Whether they are everything after it: false when the epoch changed or the oldest were trimmed. */
  readonly complete: boolean;
  /** The stream's position now (its newest offset, 0 when empty). */
  readonly top: StreamPosition;
}

/**
 * Where rooms' histories live: per room an append-only stream with
 * increasing offsets under an epoch, trimmed by count and age. The server
 * appends each message of a room its `roomHistoryFn` selects, before it is
 * sent, and reads after a client's position when it rejoins with `since`.
 */
export interface HistoryStore {
  /** Appends a message; resolves with its position. */
  append(room: string, message: { event: string; data: unknown }, limits: HistoryLimits, nowMs: number): ValueOrPromise<RoomPosition>;
  /** The messages after `position`, if the stream still holds all of them. */
  since(room: string, position: StreamPosition, limits: HistoryLimits, nowMs: number): ValueOrPromise<HistorySince>;
  /** The stream's position now, starting a stream (a new epoch) if there is none. */
  top(room: string, limits: HistoryLimits, nowMs: number): ValueOrPromise<StreamPosition>;
  /** `false` for a store only this process reaches (`InMemoryHistoryStore`): it cannot serve instances in other processes. Unset or `true`: it can (Redis). */
  readonly sharedAcrossProcesses?: boolean;
}

/** A stream as a store read it: its epoch, its newest offset, and the messages it still keeps, oldest first. */
export interface StreamSnapshot {
  readonly epoch: string;
  readonly top: number;
  readonly entries: readonly HistoryEntry[];
}

/**
 * What a stream holds after `position`: every message after it if the
 * stream still keeps them all (same epoch, the next offset expected not yet
 * trimmed, the position not past the top), else nothing and `complete: false`.
 */
export function historySince(stream: StreamSnapshot, position: StreamPosition): HistorySince {
  const top = { offset: stream.top, epoch: stream.epoch };
  if (position.epoch !== stream.epoch || position.offset > stream.top) return { entries: [], complete: false, top };
  const oldest = stream.entries[0]?.offset ?? stream.top + 1;
  if (position.offset + 1 < oldest) return { entries: [], complete: false, top };
  return { entries: stream.entries.filter((entry) => entry.offset > position.offset), complete: true, top };
}
