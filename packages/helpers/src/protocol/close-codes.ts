/**
 * Every close code a Sealed server sends, in one table.
 *
 * RFC 6455 §7.4.1 defines the 1000-range codes; 4000-4999 are reserved for
 * applications. 4001-4004 keep the meaning they have in the Ignis WebSocket
 * helper so existing clients keep working; 4005-4099 are Sealed's own.
 */
export const CloseCode = {
  /** RFC 6455: the purpose of the connection was fulfilled. */
  NORMAL: 1000,
  /** RFC 6455: the server is going away (shutdown). */
  GOING_AWAY: 1001,
  /** RFC 6455: the peer broke the WebSocket protocol itself. */
  PROTOCOL_ERROR: 1002,
  /** RFC 6455: a frame was larger than `maxPayloadBytes`. Sent by `ws` itself. */
  MESSAGE_TOO_BIG: 1009,
  /** RFC 6455: the server met a condition it did not expect. */
  INTERNAL_ERROR: 1011,
  /** `authenticate` did not arrive within `authTimeoutMs`. */
  AUTH_TIMEOUT: 4001,
  /** Nothing was heard from the client within `heartbeatTimeoutMs`. */
  HEARTBEAT_TIMEOUT: 4002,
  /** `authenticateFn` refused the credentials or threw. */
  AUTH_FAILED: 4003,
  /** Encryption is required and the client sent no key material, or the handshake failed. */
  ENCRYPTION_REQUIRED: 4004,
  /** An encrypted frame failed authentication, or was replayed, reordered or reflected. */
  CRYPTO_FAILURE: 4005,
  /** The client sent faster than its rate limit or its inbound queue allows. */
  RATE_LIMITED: 4006,
  /** The client read too slowly: its outbound buffer passed `maxBufferedBytes`. */
  SLOW_CONSUMER: 4007,
  /** The client broke the Sealed protocol in a way that cannot be answered with an error. */
  PROTOCOL_VIOLATION: 4008,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

const closeCodeNames = new Map<number, string>(
  Object.entries(CloseCode).map(([name, code]) => [code, name]),
);

/**
 * The table name of a close code, for logs and close reasons.
 *
 * @example closeCodeName(4003) // 'AUTH_FAILED'
 */
export function closeCodeName(code: number): string {
  return closeCodeNames.get(code) ?? `UNKNOWN_${code}`;
}

/** The range RFC 6455 §7.4.2 leaves to libraries, frameworks and applications. */
const REGISTERED_RANGE = { first: 3000, last: 4999 } as const;

/** Codes of RFC 6455 §7.4.1 an endpoint may send (1004-1006 and 1015 must never be sent). */
const SENDABLE_PROTOCOL_CODES: ReadonlySet<number> = new Set([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014]);

/**
 * Whether `code` may be sent in a close frame (RFC 6455 §7.4): a sendable
 * protocol code, or one of 3000-4999.
 *
 * @example isSendableCloseCode(4008) // true
 * @example isSendableCloseCode(1005) // false: reserved for "no status received"
 */
export function isSendableCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  return SENDABLE_PROTOCOL_CODES.has(code) || (code >= REGISTERED_RANGE.first && code <= REGISTERED_RANGE.last);
}
