import { ClientEvent } from '../protocol/event-names.ts';
import type { ProtocolMessage } from '../protocol/frame-codec.ts';
import type { StreamPosition } from '../protocol/room-position.ts';
import { RoomPositions } from './room-positions.ts';
import type { JoinResult, LeaveResult, RejoinResult } from './sealed-client-options.ts';

interface Pending<T> {
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

/** A `join` awaiting its answer, with the positions it named in `since`. */
interface PendingJoin extends Pending<JoinResult> {
  since: Record<string, StreamPosition> | undefined;
}

/** What {@link ClientRooms} needs from the client. */
export interface ClientRoomsInit {
  /** Sends a protocol event on the current connection; rejects when there is none. */
  send: (event: string, data: unknown) => Promise<void>;
  /** Hands a room message to the application's listeners. */
  deliver: (event: string, data: unknown) => void;
}

/**
 * The client's side of rooms: `join` and `leave` with their answers (the
 * server answers them in order), the rooms the server last said the client
 * is in, and the positions of rooms that keep history, so a rejoin names
 * them in `since` and a room's messages reach the application once each and
 * in offset order.
 */
export class ClientRooms {
  readonly #joins: PendingJoin[] = [];
  readonly #leaves: Array<Pending<LeaveResult>> = [];
  readonly #current = new Set<string>();
  readonly #positions = new RoomPositions();

  constructor(private readonly init: ClientRoomsInit) {}

  /** The rooms the server last said this client is in. */
  get current(): string[] {
    return [...this.#current];
  }

  /** The last position seen in a room that keeps history. */
  positionOf(room: string): StreamPosition | undefined {
    return this.#positions.positionOf(room);
  }

  /** Asks to join rooms, naming the last position seen in those that keep history; resolves with the server's answer. */
  join(rooms: string[]): Promise<JoinResult> {
    const since = this.#positions.beginJoin(rooms);
    return new Promise<JoinResult>((resolve, reject) => {
      const pending: PendingJoin = { resolve, reject, since };
      this.#joins.push(pending);
      this.init.send(ClientEvent.JOIN, since ? { rooms, since } : { rooms }).catch((error: Error) => {
        removeFrom(this.#joins, pending);
        this.#settleJoin(pending, undefined);
        reject(error);
      });
    });
  }

  /** Asks to leave rooms; resolves with the server's answer. */
  leave(rooms: string[]): Promise<LeaveResult> {
    return new Promise<LeaveResult>((resolve, reject) => {
      const pending: Pending<LeaveResult> = { resolve, reject };
      this.#leaves.push(pending);
      this.init.send(ClientEvent.LEAVE, { rooms }).catch((error: Error) => {
        removeFrom(this.#leaves, pending);
        reject(error);
      });
    });
  }

  /** The server's `joined`: answers the oldest join, then delivers what a recovering join held. */
  joined(data: unknown): void {
    this.#sync(data);
    const pending = this.#joins.shift();
    if (!pending) return;
    this.#settleJoin(pending, data);
    pending.resolve(data as JoinResult);
  }

  /** The server's `left`: answers the oldest leave and forgets the positions of the rooms left. */
  left(data: unknown): void {
    this.#sync(data);
    const left = (data as { rooms?: unknown } | undefined)?.rooms;
    if (Array.isArray(left)) this.#positions.forget(left.filter((room): room is string => typeof room === 'string'));
    this.#leaves.shift()?.resolve(data as LeaveResult);
  }

  /** An application message: delivered now, held while its room recovers, or dropped as already seen. */
  accept(message: ProtocolMessage): void {
    for (const accepted of this.#positions.accept(message)) this.init.deliver(accepted.event, accepted.data);
  }

  /** The connection went: the joins and leaves it carried will not be answered. */
  connectionLost(error: Error): void {
    for (const pending of this.#joins.splice(0)) {
      this.#settleJoin(pending, undefined);
      pending.reject(error);
    }
    for (const pending of this.#leaves.splice(0)) pending.reject(error);
  }

  /** Delivers what a recovering join held, once its answer (or its failure: `undefined`) is in. */
  #settleJoin(pending: PendingJoin, joined: unknown): void {
    if (!pending.since && joined === undefined) return;
    for (const message of this.#positions.settle(pending.since, joined).deliver) this.init.deliver(message.event, message.data);
  }

  #sync(data: unknown): void {
    const current = (data as { current?: unknown } | null | undefined)?.current;
    if (!Array.isArray(current)) return;
    this.#current.clear();
    for (const room of current) if (typeof room === 'string') this.#current.add(room);
  }
}

function removeFrom<T>(list: T[], item: T): void {
  const index = list.indexOf(item);
  if (index >= 0) list.splice(index, 1);
}

/** What `sealed:rejoined` says about a rejoin's answer. */
export function rejoinResult(result: JoinResult): RejoinResult {
  const recoveredRooms = { ...result.recovered };
  return { rooms: result.rooms, denied: result.denied, recovered: Object.values(recoveredRooms).every(Boolean), recoveredRooms };
}
