import { SealedError } from '../protocol/sealed-error.ts';

/** Codes of the failures and problems a client reports itself. */
export const ClientFailureCode = {
  /** The server's identity key differs from the configured or pinned one. */
  SERVER_KEY_MISMATCH: 'SERVER_KEY_MISMATCH',
  /** The server granted less protection than asked for, or none. */
  DOWNGRADE: 'DOWNGRADE',
  /** The server's handshake did not verify. */
  HANDSHAKE_FAILED: 'HANDSHAKE_FAILED',
  /** An encrypted frame from the server failed to open, or arrived in plaintext. */
  CRYPTO_FAILURE: 'CRYPTO_FAILURE',
  /** The server refused the credentials. */
  AUTH_FAILED: 'AUTH_FAILED',
  /** The server refused the client's identity key: it pinned another key for this user (another device or browser). */
  CLIENT_KEY_MISMATCH: 'CLIENT_KEY_MISMATCH',
  /** The server refused the client for another reason (see the close code). */
  REFUSED: 'REFUSED',
  /** The server took the client's resumption ticket, then refused the resumed connection (say, its credentials name another user): the client reconnects at once with the full handshake. */
  RESUMPTION_REFUSED: 'RESUMPTION_REFUSED',
  /** The client was closed, gave up reconnecting, or its connect failed for good. */
  CLOSED: 'CLOSED',
  /** The operation needs an open connection. */
  NOT_OPEN: 'NOT_OPEN',
  /** No WebSocket class: none was passed and the platform has no `globalThis.WebSocket`. */
  NO_WEBSOCKET: 'NO_WEBSOCKET',
  /** The WebSocket class refused the `url` (not a `ws://` or `wss://` URL). */
  INVALID_URL: 'INVALID_URL',
  /** The `credentials` function threw or rejected. */
  CREDENTIALS_FAILED: 'CREDENTIALS_FAILED',
  /** Before the connection opened, a frame the handshake does not expect arrived (say, anything but `sealed:handshake`, `connected` or `error`), or `connected` lacks its ids (the client closes with 4008). */
  PROTOCOL_VIOLATION: 'PROTOCOL_VIOLATION',
  /** A frame from the server on an open connection is not a valid `{ event, data }` frame; it is dropped. */
  MALFORMED_FRAME: 'MALFORMED_FRAME',
  /** A frame from the server is larger than `maxFrameBytes`; it is dropped. */
  FRAME_TOO_LARGE: 'FRAME_TOO_LARGE',
  /** An emit made while connecting or reconnecting found `maxQueuedEmits` emits already waiting; it is not sent. */
  OFFLINE_QUEUE_FULL: 'OFFLINE_QUEUE_FULL',
  /** An application listener threw; the other listeners and later frames are unaffected. */
  LISTENER_FAILED: 'LISTENER_FAILED',
  /** A request got no reply within its timeout (`requestTimeoutMs`). */
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  /** A request would pass `maxPendingRequests` requests awaiting their reply; it is not sent. */
  TOO_MANY_PENDING_REQUESTS: 'TOO_MANY_PENDING_REQUESTS',
  /** The connection closed after a request was sent and before its reply came, or the client was closed after an emit went right behind its credentials and before the connection opened: the server may or may not have handled it. */
  DISCONNECTED: 'DISCONNECTED',
  /** A send to an end-to-end room before this device is in its group (it waits for a member to add it). */
  E2E_NOT_MEMBER: 'E2E_NOT_MEMBER',
  /** A message of an end-to-end room's group, at this device's epoch, did not decrypt, was bound to another room or event, or named a sender the server did not; it is dropped. */
  E2E_UNREADABLE: 'E2E_UNREADABLE',
  /** This device is in an end-to-end room's group but cannot go on in it: the commits it missed are no longer kept, or it lost the keys its Welcome was made for. Leave and join the room again to be added anew. */
  E2E_STATE_LOST: 'E2E_STATE_LOST',
  /** A step of an end-to-end room (a commit, a catch-up) failed, and is retried on the next change. */
  E2E_FAILED: 'E2E_FAILED',
} as const;

export type ClientFailureCode = (typeof ClientFailureCode)[keyof typeof ClientFailureCode];

/** A client-side failure with a stable code: a {@link SealedError}, so `SealedError.is` holds for it. */
export class SealedClientError extends SealedError {
  override readonly code: ClientFailureCode;

  constructor(code: ClientFailureCode, message: string, options: { closeCode?: number; cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'SealedClientError';
    this.code = code;
  }
}
