/**
 * Every `error` event code a Sealed server sends, in one table.
 *
 * An `error` event is `{ "event": "error", "data": { "code", "message" } }`.
 * Codes are stable strings: clients may switch on them; messages are for people.
 */
export const ErrorCode = {
  /** The text frame is not valid JSON. */
  INVALID_JSON: 'INVALID_JSON',
  /** The frame is JSON but not an object (`null`, an array, a number, a string, a boolean). */
  INVALID_FRAME: 'INVALID_FRAME',
  /** `event` is missing, not a string, empty, too long, or uses characters outside the allowed set. */
  INVALID_EVENT: 'INVALID_EVENT',
  /** `data` does not have the shape the event requires (for example `rooms` not an array of strings). */
  INVALID_PAYLOAD: 'INVALID_PAYLOAD',
  /** A key such as `__proto__`, `constructor` or `prototype` appears anywhere in the frame. */
  FORBIDDEN_KEY: 'FORBIDDEN_KEY',
  /** The frame nests deeper than the server accepts. */
  TOO_DEEP: 'TOO_DEEP',
  /** A binary frame arrived where a text frame was expected. */
  BINARY_NOT_SUPPORTED: 'BINARY_NOT_SUPPORTED',
  /** The client sent an event that only the server may send, or one reserved for the protocol. */
  RESERVED_EVENT: 'RESERVED_EVENT',
  /** The event needs an authenticated connection. */
  NOT_AUTHENTICATED: 'NOT_AUTHENTICATED',
  /** `authenticate` arrived while a previous one is still being checked. */
  AUTH_IN_PROGRESS: 'AUTH_IN_PROGRESS',
  /** `authenticate` arrived on a connection that is already authenticated. */
  ALREADY_AUTHENTICATED: 'ALREADY_AUTHENTICATED',
  /** The credentials were refused (the connection is then closed with 4003). */
  AUTH_FAILED: 'AUTH_FAILED',
  /** `authenticate` did not arrive in time (the connection is then closed with 4001). */
  AUTH_TIMEOUT: 'AUTH_TIMEOUT',
  /** Encryption is required and the handshake failed (the connection is then closed with 4004). */
  ENCRYPTION_REQUIRED: 'ENCRYPTION_REQUIRED',
  /**
   * The handshake succeeded and the credentials were accepted, but the user is
   * pinned to another client identity key: another device or browser holds
   * this user (the connection is then closed with 4004).
   */
  CLIENT_KEY_MISMATCH: 'CLIENT_KEY_MISMATCH',
  /** The room name breaks the room-name rules. Reported per room in `joined`. */
  INVALID_ROOM_NAME: 'INVALID_ROOM_NAME',
  /** `validateRoomFn` did not allow the room, or no `validateRoomFn` is configured. Reported per room in `joined`. */
  ROOM_DENIED: 'ROOM_DENIED',
  /** Joining would pass `maxRoomsPerClient`. Reported per room in `joined`. */
  ROOM_LIMIT: 'ROOM_LIMIT',
  /** The client sent faster than its rate limit, or too many frames waited on handlers (the connection is then closed with 4006). */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The server's handler failed while processing the client's message. */
  HANDLER_FAILED: 'HANDLER_FAILED',
  /** A request (a frame with `ack`) reached a side with no handler for it: the server without `messageHandler`, or a client without a request handler for the event. Sent in the `sealed:reply`. */
  NO_HANDLER: 'NO_HANDLER',
  /** `sealed:members` named a room the client is not in, or one that does not track presence. Sent in the `sealed:reply`. */
  NO_PRESENCE: 'NO_PRESENCE',
  /** `ack` on a protocol event other than `sealed:reply`, or a `sealed:reply` without one: only application events are requests. */
  INVALID_ACK: 'INVALID_ACK',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
