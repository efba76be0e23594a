/**
 * The states of a `SealedClient`:
 *
 * ```
 * IDLE ─connect()─► CONNECTING ─socket open─► AUTHENTICATING ─connected + handshake─► OPEN
 *                      ▲                             │ retryable close                 │ retryable close
 *                      └──────── RECONNECTING ◄──────┴─────────────────────────────────┘
 * any ─close(), a fatal refusal, or attempts used up─► CLOSED
 * ```
 */
export const SealedClientState = {
  IDLE: 'idle',
  CONNECTING: 'connecting',
  AUTHENTICATING: 'authenticating',
  OPEN: 'open',
  RECONNECTING: 'reconnecting',
  CLOSED: 'closed',
} as const;

export type SealedClientState = (typeof SealedClientState)[keyof typeof SealedClientState];

/** Events the client itself emits about its connection (the `sealed:` prefix never collides with server events). */
export const ClientLifecycleEvent = {
  /** `ConnectionInfo` (`{ clientId, userId, level, suite, serverFingerprint, credentialsSealed }`): authenticated and, where asked, encrypted. */
  OPEN: 'sealed:open',
  /** `{ code, reason }`: the socket closed. */
  CLOSE: 'sealed:close',
  /** `{ attempt, delayMs }`: a reconnect is scheduled. */
  RECONNECTING: 'sealed:reconnecting',
  /** `{ code, message }`: the client gave up on a connection for a security reason or a refusal. */
  FAILURE: 'sealed:failure',
} as const;

/** Codes of the failures a client reports itself. */
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
  /**
   * The server refused credentials sealed to the configured or pinned key:
   * they are wrong, or the server does not hold that key (it could not read
   * them). The client never resends them in the clear.
   */
  SEALED_CREDENTIALS_REFUSED: 'SEALED_CREDENTIALS_REFUSED',
  /** The server refused the client for another reason (see the close code). */
  REFUSED: 'REFUSED',
  /** The client was closed, or gave up reconnecting. */
  CLOSED: 'CLOSED',
  /** The operation needs an open connection. */
  NOT_OPEN: 'NOT_OPEN',
} as const;

export type ClientFailureCode = (typeof ClientFailureCode)[keyof typeof ClientFailureCode];

/** A client-side failure with a stable code. */
export class SealedClientError extends Error {
  constructor(
    readonly code: ClientFailureCode,
    message: string,
    readonly closeCode?: number,
  ) {
    super(message);
    this.name = 'SealedClientError';
  }
}
