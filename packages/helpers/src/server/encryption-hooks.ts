import type { ValueOrPromise } from '../types/value-or-promise.ts';
import type { WebSocketClientInfo } from './websocket-client.ts';

/**
 * Runs during authentication, after `authenticateFn` accepted the client,
 * with the same `authenticate` payload. Returns what the `connected` reply
 * must carry for the client to finish the key exchange, or `null`/`false` to
 * refuse (then `error` and close 4004).
 */
export type HandshakeFn = (context: {
  clientId: string;
  userId: string;
  data: unknown;
}) => ValueOrPromise<Record<string, unknown> | null | false | undefined>;

/**
 * Turns an outbound `{ event, data }` into what an encrypted client receives.
 * Runs for every message to an encrypted client. Returning `null` (or
 * throwing) drops the message for that client: an encrypted client never
 * receives plaintext.
 */
export type OutboundTransformer = (context: {
  client: WebSocketClientInfo;
  event: string;
  data: unknown;
}) => ValueOrPromise<{ event: string; data: unknown } | string | Uint8Array | null | undefined>;

/**
 * Turns an inbound frame from an encrypted client back into `{ event, data }`
 * before dispatch. Returning `null` (or throwing) rejects the frame and
 * closes the client with 4005.
 */
export type InboundTransformer = (context: {
  client: WebSocketClientInfo;
  frame: Uint8Array | string;
}) => ValueOrPromise<{ event: string; data: unknown } | null | undefined>;
