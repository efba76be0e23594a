import { CloseCode } from '../protocol/close-codes.ts';
import type { ReconnectPolicy } from './reconnect-policy.ts';
import { ClientFailureCode } from './sealed-client-error.ts';

/** Close codes after which reconnecting cannot help. */
const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.NORMAL,
  CloseCode.AUTH_FAILED,
  CloseCode.ENCRYPTION_REQUIRED,
  CloseCode.PROTOCOL_VIOLATION,
]);

/** Failures of the client's own that a new connection may well not meet again. */
const RETRYABLE_FAILURES: ReadonlySet<ClientFailureCode> = new Set([ClientFailureCode.CRYPTO_FAILURE]);

/**
 * What a client does once its socket closed: connect again at once with the
 * full handshake (the server refused a resumption: the ticket is spent),
 * reconnect after the backoff, or give up.
 */
export type CloseDecision = 'FULL_HANDSHAKE_NOW' | 'RECONNECT' | 'GIVE_UP';

export function decideAfterClose(params: {
  code: number;
  /** Why the client gave up on the connection, if it did. */
  failure: ClientFailureCode | undefined;
  reconnect: ReconnectPolicy;
  /** Reconnect attempts made since the client was last open. */
  attempt: number;
}): CloseDecision {
  const { code, failure, reconnect, attempt } = params;
  if (failure === ClientFailureCode.RESUMPTION_REFUSED) return 'FULL_HANDSHAKE_NOW';
  const fatal = FATAL_CLOSE_CODES.has(code) || (failure !== undefined && !RETRYABLE_FAILURES.has(failure));
  return !fatal && reconnect.enabled && attempt < reconnect.maxAttempts ? 'RECONNECT' : 'GIVE_UP';
}
