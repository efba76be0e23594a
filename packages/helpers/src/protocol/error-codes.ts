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
  /** Joining an end-to-end room needs a device identity key proved in the handshake (the secure kit's). Reported per room in `joined`. */
  DEVICE_KEY_REQUIRED: 'DEVICE_KEY_REQUIRED',
  /** An end-to-end request named a room that is not end-to-end, or one the client is not in. Sent in the `sealed:reply`. */
  NOT_END_TO_END: 'NOT_END_TO_END',
  /** `sealed:mls:publish` carried a KeyPackage that is malformed, of another suite, badly signed, or not bound to the sending device and user. */
  KEY_PACKAGE_REFUSED: 'KEY_PACKAGE_REFUSED',
  /** `sealed:mls:claim` named a device that is not waiting to join the room, or that has no KeyPackage left. */
  NO_KEY_PACKAGE: 'NO_KEY_PACKAGE',
  /** `sealed:mls:commit` was made in an epoch that is not the group's current one: another commit won. Catch up (`sealed:mls:log`) and commit again. */
  EPOCH_CONFLICT: 'EPOCH_CONFLICT',
  /** `sealed:mls:commit` was refused: malformed, not a PublicMessage, another group, or adds and removes the application did not allow. */
  COMMIT_REFUSED: 'COMMIT_REFUSED',
  /** `sealed:mls:send` was refused: not an MLS application message of the room's group in its current epoch, or the sender is not a member. */
  MLS_MESSAGE_REFUSED: 'MLS_MESSAGE_REFUSED',
  /** `sealed:mls:log` asked for commits older than the server keeps (`maxGroupLogEntries`): the device has to be added again. */
  LOG_TRUNCATED: 'LOG_TRUNCATED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
