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
  readonly #byUser = new Map<string, Set<WebSocketClient>>();
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
    if (client.userId === undefined) return;
    let sessions = this.#byUser.get(client.userId);
    if (!sessions) {
      sessions = new Set();
      this.#byUser.set(client.userId, sessions);
      this.#listener?.userOpened(client.userId);
    }
    sessions.add(client);
  }

  remove(client: WebSocketClient): void {
    this.#byId.delete(client.id);
    if (client.userId === undefined) return;
    const sessions = this.#byUser.get(client.userId);
    if (!sessions) return;
    sessions.delete(client);
    if (sessions.size === 0) {
      this.#byUser.delete(client.userId);
      this.#listener?.userClosed(client.userId);
    }
  }

  get(clientId: string): WebSocketClient | undefined {
    return this.#byId.get(clientId);
  }

  byUser(userId: string): ReadonlySet<WebSocketClient> {
    return this.#byUser.get(userId) ?? EMPTY;
  }

  all(): IterableIterator<WebSocketClient> {
    return this.#byId.values();
  }
}

const EMPTY: ReadonlySet<WebSocketClient> = new Set();
