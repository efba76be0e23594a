import type { WebSocketClient } from './websocket-client.ts';
import { includes, valuesOf, withValue, withoutValue, type OneOrMany } from '../../utils/one-or-many.ts';

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
  readonly #byUser = new Map<string, OneOrMany<WebSocketClient>>();
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
    const next = withValue(sessions, client);
    if (next !== sessions) this.#byUser.set(userId, next);
    if (sessions === undefined) this.#listener?.userOpened(userId);
  }

  remove(client: WebSocketClient): void {
    this.#byId.delete(client.id);
    const { userId } = client;
    if (userId === undefined) return;
    const sessions = this.#byUser.get(userId);
    if (!includes(sessions, client)) return;
    const remaining = withoutValue(sessions, client);
    if (remaining !== undefined) {
      if (remaining !== sessions) this.#byUser.set(userId, remaining);
      return;
    }
    this.#byUser.delete(userId);
    this.#listener?.userClosed(userId);
  }

  get(clientId: string): WebSocketClient | undefined {
    return this.#byId.get(clientId);
  }

  byUser(userId: string): Iterable<WebSocketClient> {
    return valuesOf(this.#byUser.get(userId));
  }

  all(): IterableIterator<WebSocketClient> {
    return this.#byId.values();
  }
}
