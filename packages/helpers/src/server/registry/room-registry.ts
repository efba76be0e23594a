import type { WebSocketClient } from './websocket-client.ts';

/** Told when a room gets its first local member and when it loses its last. */
export interface RoomPresenceListener {
  roomOpened(room: string): void;
  roomClosed(room: string): void;
}

/**
 * Which clients are in which rooms. Keeps both directions in step: the room's
 * member set here and the client's own list (`addRoom`, `removeRoom`).
 */
export class RoomRegistry {
  readonly #members = new Map<string, Set<WebSocketClient>>();
  #listener: RoomPresenceListener | undefined;
  #beforeChange: (() => void) | undefined;

  /** Sets who hears about rooms opening and closing. */
  listen(listener: RoomPresenceListener): void {
    this.#listener = listener;
  }

  /**
   * Sets what runs just before any room's members change: the sends to a
   * room that are still held for its members as they were are written then.
   */
  beforeMembersChange(callback: () => void): void {
    this.#beforeChange = callback;
  }

  /** Number of rooms with at least one member. */
  get size(): number {
    return this.#members.size;
  }

  /** Adds the client to the room; returns false when it was already a member. */
  join(client: WebSocketClient, room: string): boolean {
    if (client.inRoom(room)) return false;
    this.#beforeChange?.();
    let members = this.#members.get(room);
    if (!members) {
      members = new Set();
      this.#members.set(room, members);
      this.#listener?.roomOpened(room);
    }
    members.add(client);
    client.addRoom(room);
    return true;
  }

  /** Removes the client from the room; returns false when it was not a member. */
  leave(client: WebSocketClient, room: string): boolean {
    if (!client.inRoom(room)) return false;
    this.#beforeChange?.();
    client.removeRoom(room);
    const members = this.#members.get(room);
    if (members) {
      members.delete(client);
      if (members.size === 0) {
        this.#members.delete(room);
        this.#listener?.roomClosed(room);
      }
    }
    return true;
  }

  /** Removes the client from every room it is in. */
  leaveAll(client: WebSocketClient): void {
    for (const room of client.roomList()) this.leave(client, room);
  }

  /** The room's members: the registry's own set, the same object for as long as the room has members. */
  members(room: string): ReadonlySet<WebSocketClient> {
    return this.#members.get(room) ?? EMPTY;
  }

  rooms(): IterableIterator<string> {
    return this.#members.keys();
  }
}

const EMPTY: ReadonlySet<WebSocketClient> = new Set();
