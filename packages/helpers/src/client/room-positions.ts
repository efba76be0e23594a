import type { ProtocolMessage } from '../protocol/frame-codec.ts';
import { readRoomPosition, type StreamPosition } from '../protocol/room-position.ts';

/** What a `joined` answer says about histories (see `docs/protocol.md`, Room history). */
interface JoinedHistory {
  positions?: Record<string, unknown>;
  recovered?: Record<string, unknown>;
}

/**
 * The client's side of room history, pure: the last position seen per
 * room, what to name in `join`'s `since`, and which messages to deliver.
 * A message of a room being recovered (a `join` with `since` in flight) is
 * held until its `joined` arrives, then the held ones go out in offset order;
 * at any time a message whose offset was already delivered under the same
 * epoch is dropped, so a message both replayed and sent live arrives once.
 */
export class RoomPositions {
  readonly #positions = new Map<string, StreamPosition>();
  /** Rooms with a recovering `join` in flight, and how many. */
  readonly #recovering = new Map<string, number>();
  readonly #held = new Map<string, ProtocolMessage[]>();

  /** The last position seen in `room`, if it keeps history. */
  positionOf(room: string): StreamPosition | undefined {
    return this.#positions.get(room);
  }

  /**
   * The `since` for a `join` of `rooms`: the known position of each. The
   * rooms named are held until {@link settle} is called with the answer.
   */
  beginJoin(rooms: readonly string[]): Record<string, StreamPosition> | undefined {
    let since: Record<string, StreamPosition> | undefined;
    for (const room of rooms) {
      const position = this.#positions.get(room);
      if (!position) continue;
      (since ??= {})[room] = position;
      this.#recovering.set(room, (this.#recovering.get(room) ?? 0) + 1);
    }
    return since;
  }

  /**
   * Takes one message from the server; returns what to deliver now: the
   * message, nothing (held, or a duplicate), as the rules above say.
   */
  accept(message: ProtocolMessage): ProtocolMessage[] {
    const position = message.position;
    if (!position) return [message];
    if (this.#recovering.has(position.room)) {
      let held = this.#held.get(position.room);
      if (!held) this.#held.set(position.room, (held = []));
      held.push(message);
      return [];
    }
    return this.#isNew(message) ? [message] : [];
  }

  /**
   * Takes the `joined` answer to a join that named `since`: releases the
   * rooms it held (in offset order, without duplicates), and moves each
   * room's position to where the server says the client now stands.
   * Returns the messages to deliver and, per room recovered, whether it was
   * complete.
   */
  settle(since: Record<string, StreamPosition> | undefined, joined: unknown): { deliver: ProtocolMessage[]; recovered: Record<string, boolean> } {
    const answer = (typeof joined === 'object' && joined !== null ? joined : {}) as JoinedHistory;
    const deliver: ProtocolMessage[] = [];
    const recovered: Record<string, boolean> = {};
    for (const room of Object.keys(since ?? {})) {
      const left = (this.#recovering.get(room) ?? 1) - 1;
      if (left > 0) this.#recovering.set(room, left);
      else this.#recovering.delete(room);
      if (typeof answer.recovered?.[room] === 'boolean') recovered[room] = answer.recovered[room] as boolean;
      if (left > 0) continue;
      const held = this.#held.get(room) ?? [];
      this.#held.delete(room);
      held.sort((a, b) => a.position!.offset - b.position!.offset);
      for (const message of held) if (this.#isNew(message)) deliver.push(message);
      // Then where the server says the client stands now (with another epoch, the old position means nothing).
      this.#advance(room, answer.positions?.[room]);
    }
    for (const [room, position] of Object.entries(answer.positions ?? {})) {
      if (!since || !(room in since)) this.#advance(room, position);
    }
    return { deliver, recovered };
  }

  /** Forgets the rooms left: a later join starts from the server's current position. */
  forget(rooms: readonly string[]): void {
    for (const room of rooms) this.#positions.delete(room);
  }

  /** Delivers a message only past the last offset seen under its epoch; records it as seen. */
  #isNew(message: ProtocolMessage): boolean {
    const { room, offset, epoch } = message.position!;
    const known = this.#positions.get(room);
    if (known && known.epoch === epoch && offset <= known.offset) return false;
    this.#positions.set(room, { offset, epoch });
    return true;
  }

  /** Moves a room's position to `reported` when it is another epoch or further on. */
  #advance(room: string, reported: unknown): void {
    const position = readRoomPosition({ room, ...(reported as object) });
    if (!position) return;
    const known = this.#positions.get(room);
    if (known && known.epoch === position.epoch && known.offset >= position.offset) return;
    this.#positions.set(room, { offset: position.offset, epoch: position.epoch });
  }
}
