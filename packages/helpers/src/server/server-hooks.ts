import type { ValueOrPromise } from '../types/value-or-promise.ts';
import type { EventMap, EventName, PayloadOf } from '../protocol/event-map.ts';

/** What `authenticateFn` returns for accepted credentials. */
export interface AuthenticationResult {
  /** The application's id for the user; several connections may share it. */
  userId: string;
  /** Anything the application wants to keep with the connection. Never logged. */
  metadata?: Record<string, unknown>;
}

/**
 * Checks the `authenticate` payload. Return the user, or `null`/`false` to
 * refuse (the client gets an `error` and close 4003). Throwing refuses too.
 */
export type AuthenticateFn = (context: {
  clientId: string;
  /** The `data` of the `authenticate` frame, as the client sent it. */
  data: unknown;
  /** The peer address of the TCP connection. */
  remoteAddress: string | undefined;
}) => ValueOrPromise<AuthenticationResult | null | false | undefined>;

/**
 * Decides which of the requested rooms a client may join: returns the allowed
 * subset. Rooms already failing the room-name rules never reach it.
 */
export type ValidateRoomFn = (context: {
  clientId: string;
  userId: string;
  rooms: string[];
}) => ValueOrPromise<readonly string[]>;

/** Called once a client is open (authenticated and, where required, handshaken). */
export type ClientConnectedFn = (context: {
  clientId: string;
  userId: string;
  metadata: Record<string, unknown> | undefined;
}) => ValueOrPromise<void>;

/** Called once when a client that had been open disconnects, for whatever reason. */
export type ClientDisconnectedFn = (context: {
  clientId: string;
  userId: string;
  closeCode: number;
}) => ValueOrPromise<void>;

/**
 * What `messageHandler` is handed for one application event: a union over
 * the events of the map, so a `switch` on `event` narrows `data`.
 */
export type MessageContext<Events extends EventMap = EventMap> = {
  [K in EventName<Events>]: {
    clientId: string;
    userId: string;
    event: K;
    data: PayloadOf<Events[K]>;
    /** Whether the client awaits a reply: what the handler returns is sent back. */
    expectsReply: boolean;
  };
}[EventName<Events>];

/**
 * Receives every application event from an open client. Protocol events
 * (`authenticate`, `join`, `leave`, `heartbeat`, ...) never arrive here.
 * When the client sent a request (`client.request` in the SDK), what the
 * handler returns (or resolves to) is the reply's result: a JSON value, or
 * nothing. Throw a `SealedError` to answer the client with its code and
 * message (in the reply, or as an `error` event for a plain emit); any
 * other error is answered with `HANDLER_FAILED`.
 *
 * With an event map (`MessageHandler<ClientToServer>`), `event` and `data`
 * are typed by it (a typed handler fits where `MessageHandler<any>` is
 * asked for, as in the container's `MESSAGE_HANDLER`). The map is checked
 * at compile time only: a client can send any event and any data, so check
 * what arrives.
 */
export type MessageHandler<Events extends EventMap = EventMap> = (context: MessageContext<Events>) => ValueOrPromise<unknown>;

/**
 * Says whether a room keeps history. Synchronous, and called for every send
 * to a room and every join: keep it a lookup (a prefix, a set).
 */
export type RoomHistoryFn = (context: { room: string }) => boolean;
