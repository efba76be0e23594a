/**
 * Codes of the `SealedError`s the library throws at the code that uses it
 * (never sent to a client): a programming error, a missing platform
 * feature, or a state that cannot go on. Switch on them; the messages are
 * for people.
 */
export const UsageErrorCode = {
  /** An option or argument can never work (`InvalidOptionsError`). */
  INVALID_OPTIONS: 'INVALID_OPTIONS',
  /** A state machine was asked for a move its table does not allow: a bug in Sealed (`IllegalTransitionError`, and `ApplicationStateError` of `@sealed/core`). */
  ILLEGAL_TRANSITION: 'ILLEGAL_TRANSITION',
  /** A security level name is unknown, or a list of levels is empty, or a handshake was asked for at `none`. */
  INVALID_SECURITY_LEVEL: 'INVALID_SECURITY_LEVEL',
  /** The secure channel was used after it closed (its keys are zeroed). */
  CHANNEL_CLOSED: 'CHANNEL_CLOSED',
  /** The secure channel sent 2^64 frames under one connection. */
  SEQUENCE_EXHAUSTED: 'SEQUENCE_EXHAUSTED',
  /** The crypto provider has no in-place sealing for the channel's suite. */
  IN_PLACE_UNSUPPORTED: 'IN_PLACE_UNSUPPORTED',
  /** X25519 produced an all-zero shared secret: the peer's key is a low-order point (`WeakSharedSecretError`). */
  WEAK_SHARED_SECRET: 'WEAK_SHARED_SECRET',
  /** WebCrypto (`crypto.subtle`) is missing: the page is not a secure context. */
  WEBCRYPTO_UNAVAILABLE: 'WEBCRYPTO_UNAVAILABLE',
  /** The installed `ws` does not expose the socket under a WebSocket; Sealed needs `ws` 8. */
  UNSUPPORTED_WS: 'UNSUPPORTED_WS',
  /** A component needs a binding the application did not provide (`MissingBindingError`, `@sealed/core`). */
  MISSING_BINDING: 'MISSING_BINDING',
  /** A server identity file is not one, or its public key does not match its secret key. */
  INVALID_IDENTITY_FILE: 'INVALID_IDENTITY_FILE',
  /** The application sent an event whose name belongs to the protocol (`connected`, `joined`, `error`, `sealed:...`, ...): clients would take it for the server's own. */
  RESERVED_EVENT_NAME: 'RESERVED_EVENT_NAME',
  /** A server identity file can be read or written by users other than its owner (group or other permission bits set). */
  IDENTITY_FILE_EXPOSED: 'IDENTITY_FILE_EXPOSED',
  /** An in-memory pin store holds its `maxPins` and was asked to pin a new name: existing pins are never forgotten to make room. */
  PIN_STORE_FULL: 'PIN_STORE_FULL',
  /** `request` found no open client with that id on this instance. */
  CLIENT_NOT_FOUND: 'CLIENT_NOT_FOUND',
  /** A request got no reply within its timeout (`requestTimeoutMs`). */
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  /** A request would pass the limit of requests awaiting a reply (`maxPendingRequestsPerClient` on the server, `maxPendingRequests` in the SDK). */
  TOO_MANY_PENDING_REQUESTS: 'TOO_MANY_PENDING_REQUESTS',
  /** The connection closed before the reply came: the peer may or may not have handled the request. */
  DISCONNECTED: 'DISCONNECTED',
  /** A request could not be written to the client's socket (slow consumer, or its outbound transformer failed). */
  NOT_DELIVERED: 'NOT_DELIVERED',
  /** The outbound transformer sent a message while it ran: it would reach the clients not yet written before the message being transformed. */
  SEND_FROM_TRANSFORMER: 'SEND_FROM_TRANSFORMER',
} as const;

export type UsageErrorCode = (typeof UsageErrorCode)[keyof typeof UsageErrorCode];
