import type { ValueOrPromise } from '../types/value-or-promise.ts';
import type { WebSocketClientInfo } from './websocket-client.ts';

/**
 * Per-connection state a handshake leaves behind (for example the secure
 * channel). The server keeps it on the client, hands it back to the
 * transformers as `client.session`, and disposes of it when the client goes.
 */
export interface ClientSession {
  /** Releases the session: zero keys, free buffers. Called once, on close. */
  dispose?(): void;
}

/** What a successful handshake returns. */
export interface HandshakeOutcome {
  /** Fields merged into the `connected` reply, so the client can finish the key exchange. */
  reply?: Record<string, unknown>;
  /** Whether the client is now encrypted: every message to it goes through the outbound transformer. */
  encrypted: boolean;
  /** State kept with the client until it disconnects. */
  session?: ClientSession;
}

/**
 * Runs during authentication, after `authenticateFn` accepted the client,
 * with the same `authenticate` payload. Returns the outcome, or `null`/`false`
 * to refuse the client (`error` `ENCRYPTION_REQUIRED`, then close 4004).
 * Throwing refuses too.
 */
export type HandshakeFn = (context: {
  clientId: string;
  userId: string;
  data: unknown;
}) => ValueOrPromise<HandshakeOutcome | null | false | undefined>;

/**
 * A binary frame built in place: the server reserves `byteLength` bytes in
 * the client's outgoing buffer and calls `writeTo` with them once,
 * synchronously, when and only if the frame is written. So no buffer is
 * allocated per recipient, and a sequence-numbered channel numbers only the
 * frames that reach the socket (a frame skipped for a slow consumer leaves
 * no gap). If `writeTo` throws, nothing is written and the message counts
 * as dropped.
 */
export interface InPlaceBinaryFrame {
  readonly byteLength: number;
  writeTo(target: Uint8Array): void;
}

/**
 * A frame ready for the socket: text, binary, a binary frame given as chunks
 * (written one after another), a binary frame built in place, or an
 * envelope the server serializes as JSON text.
 */
export type TransformedFrame = { event: string; data: unknown } | string | Uint8Array | readonly Uint8Array[] | InPlaceBinaryFrame;

/**
 * Turns an outbound `{ event, data }` into what an encrypted client receives.
 * Runs for every message to an encrypted client, protocol answers included,
 * at most `encryptedBatchLimit` at a time across the server. Returning
 * nothing (or throwing) drops the message for that client, and the drop is
 * counted: an encrypted client never receives plaintext.
 */
export type OutboundTransformer = (context: OutboundContext) => ValueOrPromise<TransformedFrame | null | undefined>;

/** What the outbound transformer gets for one message to one client. */
export interface OutboundContext {
  client: WebSocketClientInfo;
  event: string;
  data: unknown;
  /**
   * The message as UTF-8 JSON `{ "event", "data" }`, serialized once for all
   * recipients of a send. Do not modify the bytes.
   */
  encoded(): Uint8Array;
}

/**
 * Turns an inbound frame from an encrypted client back into a message before
 * it is validated and dispatched: JSON text, or `{ event, data }`. Returning
 * nothing (or throwing) closes the client with 4005 CRYPTO_FAILURE.
 */
export type InboundTransformer = (context: {
  client: WebSocketClientInfo;
  frame: Uint8Array | string;
}) => ValueOrPromise<string | { event: string; data: unknown } | null | undefined>;
