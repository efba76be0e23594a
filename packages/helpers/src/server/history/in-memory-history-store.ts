import { randomBytes } from 'node:crypto';
import type { RoomPosition, StreamPosition } from '../../protocol/room-position.ts';
import { historySince, type HistoryEntry, type HistoryLimits, type HistorySince, type HistoryStore } from './history-store.ts';

/** Random bytes in an epoch (hex): a stream started again after a restart never reuses one. */
const EPOCH_BYTES = 8;

interface KeptEntry extends HistoryEntry {
  readonly at: number;
}

interface Stream {
  readonly epoch: string;
  /** Offset of the newest message; 0 before the first. */
  top: number;
  lastAppendAt: number;
  /** Oldest first; at most `maxMessages`. */
  readonly entries: KeptEntry[];
}

/**
 * A {@link HistoryStore} in this process's memory, the embedded default.
 * Its streams end with the process: after a restart every epoch is new and
 * a rejoining client gets `recovered: false`. Streams are kept in order of
 * their last append; each append forgets the least recently appended stream
 * if it has been silent for longer than `maxAgeMs` (all its messages have
 * expired), so rooms that fall silent cost nothing for long.
 */
export class InMemoryHistoryStore implements HistoryStore {
  readonly sharedAcrossProcesses = false;
  readonly #streams = new Map<string, Stream>();

  /** Rooms with a stream now. */
  get size(): number {
    return this.#streams.size;
  }

  append(room: string, message: { event: string; data: unknown }, limits: HistoryLimits, nowMs: number): RoomPosition {
    const stream = this.#stream(room, nowMs);
    stream.top += 1;
    stream.lastAppendAt = nowMs;
    stream.entries.push({ offset: stream.top, event: message.event, data: message.data, at: nowMs });
    trim(stream, limits, nowMs);
    // Most recently appended last, so the first stream is the one to look at for forgetting.
    this.#streams.delete(room);
    this.#streams.set(room, stream);
    this.#forgetOneSilent(limits, nowMs);
    return { room, offset: stream.top, epoch: stream.epoch };
  }

  since(room: string, position: StreamPosition, limits: HistoryLimits, nowMs: number): HistorySince {
    const stream = this.#stream(room, nowMs);
    trim(stream, limits, nowMs);
    const entries = stream.entries.map(({ offset, event, data }) => ({ offset, event, data }));
    return historySince({ epoch: stream.epoch, top: stream.top, entries }, position);
  }

  top(room: string, _limits: HistoryLimits, nowMs: number): StreamPosition {
    const stream = this.#stream(room, nowMs);
    return { offset: stream.top, epoch: stream.epoch };
  }

  #stream(room: string, nowMs: number): Stream {
    let stream = this.#streams.get(room);
    if (!stream) {
      stream = { epoch: randomBytes(EPOCH_BYTES).toString('hex'), top: 0, lastAppendAt: nowMs, entries: [] };
      this.#streams.set(room, stream);
    }
    return stream;
  }

  #forgetOneSilent(limits: HistoryLimits, nowMs: number): void {
    const [room, stream] = this.#streams.entries().next().value ?? [];
    if (room !== undefined && stream && nowMs - stream.lastAppendAt > limits.maxAgeMs) this.#streams.delete(room);
  }
}

/** Drops the oldest messages past `maxMessages` and those older than `maxAgeMs`. */
function trim(stream: Stream, limits: HistoryLimits, nowMs: number): void {
  let drop = Math.max(0, stream.entries.length - limits.maxMessages);
  while (drop < stream.entries.length && nowMs - stream.entries[drop]!.at > limits.maxAgeMs) drop += 1;
  if (drop > 0) stream.entries.splice(0, drop);
}
