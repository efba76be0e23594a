import type { WebSocketClient } from './websocket-client.ts';

/** Told when a user gets its first local connection and when it loses its last. */
export interface UserPresenceListener {
  userOpened(userId: string): void;
  userClosed(userId: string): void;
}

/**
 * Indexes the live clients by id and by user. Knows nothing of sockets or rooms.
 */
export class ClientRegistry {
  readonly #byId = new Map<string, WebSocketClient>();
  /** A user's clients: the client itself while it is the only one (most users), a set once there are more. */
  readonly #byUser = new Map<string, WebSocketClient | Set<WebSocketClient>>();
  #listener: UserPresenceListener | undefined;

  /** Sets who hears about users arriving and leaving. */
  listen(listener: UserPresenceListener): void {
    this.#listener = listener;
  }

  get size(): number {
    return this.#byId.size;
  }

  add(client: WebSocketClient): void {
    this.#byId.set(client.id, client);
  }

  /** Files an authenticated client under its user id. */
  indexUser(client: WebSocketClient): void {
    const { userId } = client;
    if (userId === undefined) return;
    const sessions = this.#byUser.get(userId);
    if (sessions === undefined) {
      this.#byUser.set(userId, client);
      this.#listener?.userOpened(userId);
    } else if (sessions instanceof Set) {
      sessions.add(client);
    } else if (sessions !== client) {
      this.#byUser.set(userId, new Set([sessions, client]));
    }
  }

  remove(client: WebSocketClient): void {
    this.#byId.delete(client.id);
    const { userId } = client;
    if (userId === undefined) return;
    const sessions = this.#byUser.get(userId);
    if (sessions instanceof Set) {
      sessions.delete(client);
      if (sessions.size > 1) return;
      const [remaining] = sessions;
      if (remaining) {
        this.#byUser.set(userId, remaining);
        return;
      }
    } else if (sessions !== client) {
      return;
    }
    this.#byUser.delete(userId);
    this.#listener?.userClosed(userId);
  }

  get(clientId: string): WebSocketClient | undefined {
    return this.#byId.get(clientId);
  }

  byUser(userId: string): Iterable<WebSocketClient> {
    const sessions = this.#byUser.get(userId);
    if (sessions === undefined) return NO_ONE;
    return sessions instanceof Set ? sessions : [sessions];
  }

  all(): IterableIterator<WebSocketClient> {
    return this.#byId.values();
  }
}

const NO_ONE: readonly WebSocketClient[] = Object.freeze([]);
