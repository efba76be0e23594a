/**
 * Where a message sits in a room's history: the room, its offset (1 for the
 * first message of a stream, increasing by one) and the epoch of the stream
 * (a new epoch means the stream was lost or reset, and offsets start over).
 * Carried as `position` on every room message of a room that keeps history.
 */
export interface RoomPosition {
  readonly room: string;
  readonly offset: number;
  readonly epoch: string;
}

/** A position in a room's stream without the room, as a client names it in `join`'s `since`. */
export interface StreamPosition {
  readonly offset: number;
  readonly epoch: string;
}

/** Longest epoch accepted from a peer. */
const MAX_EPOCH_LENGTH = 64;

function isStreamPosition(value: unknown): value is StreamPosition {
  if (typeof value !== 'object' || value === null) return false;
  const { offset, epoch } = value as Record<string, unknown>;
  return (
    typeof offset === 'number' &&
    Number.isSafeInteger(offset) &&
    offset >= 0 &&
    typeof epoch === 'string' &&
    epoch.length > 0 &&
    epoch.length <= MAX_EPOCH_LENGTH
  );
}

/** Reads a `position` field: a room name with a stream position; `undefined` for any other shape. */
export function readRoomPosition(value: unknown): RoomPosition | undefined {
  if (!isStreamPosition(value)) return undefined;
  const { room } = value as { room?: unknown };
  if (typeof room !== 'string' || room.length === 0) return undefined;
  return { room, offset: value.offset, epoch: value.epoch };
}

/**
 * Reads `join`'s optional `since`: `{ [room]: { offset, epoch } }`. Entries
 * of another shape are left out (the room is then joined without recovery).
 */
export function readSincePositions(value: unknown): ReadonlyMap<string, StreamPosition> {
  const since = new Map<string, StreamPosition>();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return since;
  for (const [room, position] of Object.entries(value)) {
    if (isStreamPosition(position)) since.set(room, { offset: position.offset, epoch: position.epoch });
  }
  return since;
}
