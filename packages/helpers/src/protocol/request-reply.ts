/**
 * Requests and their replies, in both directions. A request is an
 * application frame with an `ack` id the sender chose; the other side
 * answers it with one `sealed:reply` frame carrying the same `ack` and, as
 * its data, either the handler's result or an error:
 *
 * ```
 * { "event": "price", "data": { "sku": "a1" }, "ack": 7 }
 * { "event": "sealed:reply", "ack": 7, "data": { "result": 12.5 } }
 * { "event": "sealed:reply", "ack": 7, "data": { "error": { "code": "NOT_FOUND", "message": "No such item" } } }
 * ```
 */

/** The data of a `sealed:reply`: the handler's result (absent when it returned nothing), or the error it failed with. */
export type ReplyPayload = { readonly result?: unknown } | { readonly error: ReplyError };

/** Why a request failed: a stable code and a message for people. */
export interface ReplyError {
  readonly code: string;
  readonly message: string;
}

/** Longest error code accepted in a reply. */
const MAX_REPLY_CODE_LENGTH = 128;

/** Whether `value` can be a request's `ack` id: an integer from 1 to 2^53 - 1. */
export function isReplyId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

/** The data of a reply that carries a result. */
export function replyWithResult(result: unknown): ReplyPayload {
  return result === undefined ? {} : { result };
}

/** The data of a reply that carries an error. */
export function replyWithError(code: string, message: string): ReplyPayload {
  return { error: { code, message } };
}

/**
 * Reads the data of a `sealed:reply` from a peer.
 *
 * @returns the reply, or `undefined` when the data has another shape: an
 * object with `result`, or with `error` `{ code, message }` (both strings),
 * and nothing else.
 */
export function readReply(data: unknown): ReplyPayload | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const keys = Object.keys(data);
  if (keys.length === 0) return {};
  if (keys.length !== 1) return undefined;
  const record = data as Record<string, unknown>;
  if (keys[0] === 'result') return { result: record.result };
  if (keys[0] !== 'error') return undefined;
  const error = record.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as Record<string, unknown>;
  if (typeof code !== 'string' || code.length === 0 || code.length > MAX_REPLY_CODE_LENGTH || typeof message !== 'string') return undefined;
  return { error: { code, message } };
}

/** Whether a reply carries an error. */
export function isErrorReply(reply: ReplyPayload): reply is { readonly error: ReplyError } {
  return 'error' in reply;
}
