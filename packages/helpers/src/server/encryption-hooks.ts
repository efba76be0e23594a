import type { ErrorCode } from '../protocol/error-codes.ts';
import type { RoomPosition } from '../protocol/room-position.ts';
import type { ValueOrPromise } from '../types/value-or-promise.ts';
import type { AuthenticationResult } from './server-hooks.ts';
import type { WebSocketClientInfo } from './registry/websocket-client.ts';

/**
 * Per-connection state a handshake leaves behind (for example the secure
 * channel). The server keeps it on the client, hands it back to the
 * transformers as `client.session`, and disposes of it when the client goes.
 */
export interface ClientSession {
  /** Releases the session: zero keys, free buffers. Called once, on close. */
  dispose?(): void;
}

/** What a finished handshake returns. */
export interface HandshakeOutcome {
  /** Fields merged into the `connected` reply (only when the client's frames are not protected: a protected client needs nothing more). */
  reply?: Record<string, unknown>;
  /** Whether the client's frames are now confidential (what `requireEncryption` asks for). */
  encrypted: boolean;
  /**
   * Whether every frame to and from the client now goes through the
   * transformers (`connected` included): true for any protected channel,
   * encrypted or only authenticated. Defaults to `encrypted`.
   */
  protectedFrames?: boolean;
  /** State kept with the client until it disconnects. */
  session?: ClientSession;
  /**
   * The identity public key the client proved it holds in the handshake:
   * its device's key (end-to-end rooms bind a device's MLS leaf to it).
   */
  deviceKey?: Uint8Array;
  /**
   * What `authenticateFn` gets as `data`, when the handshake carried the
   * credentials itself (then the `authenticate` payload held only the
   * handshake). Defaults to the `authenticate` payload.
   */
  credentials?: unknown;
  /**
   * Called once `authenticateFn` named the user, before the client is open:
   * false refuses the client (`error` `ENCRYPTION_REQUIRED`, then close
   * 4004); a {@link UserRefusal} refuses it with that error code instead,
   * for example `CLIENT_KEY_MISMATCH` for a client key that is not the one
   * pinned for the user.
   */
  acceptUser?(userId: string): ValueOrPromise<boolean | UserRefusal>;
  /** Lets a later connection of this client resume the session without the full handshake. */
  resumption?: SessionResumption;
}

/**
 * Why a handshake refused the user it was asked to accept: the `error` the
 * client gets before the close (4004). The client has proved its key and
 * credentials by then, so the reason may name what it can do about it; it
 * must not say anything about other users.
 */
export interface UserRefusal {
  code: ErrorCode;
  /** For people; safe to show to the client. */
  message: string;
}

/**
 * Resumption tickets of one session. Once the client is open the server
 * sends it `sealed:ticket` with what `issueTicket` returns, and again each
 * time half of `ticketLifetimeMs` has passed, so the client always holds a
 * ticket it can use if its connection drops.
 */
export interface SessionResumption {
  /** How long a ticket is taken after it was issued. */
  readonly ticketLifetimeMs: number;
  /** The data of a `sealed:ticket` frame that binds this user; `undefined` to send none. */
  issueTicket(user: AuthenticationResult): ValueOrPromise<Record<string, unknown> | undefined>;
  /**
   * Set when this connection resumed a session and the application chose
   * not to authenticate resumed clients again: the user the ticket names,
   * which then stands in for `authenticateFn`.
   */
  readonly resumedUser?: AuthenticationResult;
}

/**
 * A handshake that needs one more message from the client: the server sends
 * `challenge` as the data of a `sealed:handshake` frame and hands the data
 * of the client's `sealed:finish` to `finish`, within the same `authTimeout`.
 */
export interface HandshakeChallenge {
  challenge: Record<string, unknown>;
  /** Returns the outcome, or `null`/`false` to refuse the client (`ENCRYPTION_REQUIRED`, 4004). Throwing refuses too. */
  finish(data: unknown): ValueOrPromise<HandshakeOutcome | null | false | undefined>;
  /** The client went (or timed out) before its finish: release what the challenge holds. */
  abandon(): void;
}

/**
 * Runs first, on the `authenticate` payload, before `authenticateFn`.
 * Returns the outcome at once (no further message), a challenge the client
 * must answer, or `null`/`false` to refuse the client (`error`
 * `ENCRYPTION_REQUIRED`, then close 4004). Throwing refuses too.
 * `authenticateFn` runs only once the handshake has finished.
 */
export type HandshakeFn = (context: {
  clientId: string;
  data: unknown;
  remoteAddress: string | undefined;
}) => ValueOrPromise<HandshakeOutcome | HandshakeChallenge | null | false | undefined>;

/**
 * A binary frame built in place: the server queues it and, when the
 * client's writes of the current event-loop turn go out (at the end of the
 * turn, or earlier before any other write to that client), calls `writeTo`
 * once with `byteLength` bytes of the socket's outgoing buffer. A client's
 * queued frames are built one after another, so its keys stay hot in cache,
 * no buffer is allocated per recipient, and a sequence-numbered channel
 * numbers only frames that reach the socket (a frame skipped for a slow
 * consumer is never built and leaves no gap). `writeTo` must fill the bytes
 * synchronously. If it throws, that frame is left out, counted in
 * `encryptedDrops` and taken back out of `messagesDelivered` (the send's
 * report, already returned, counted it as delivered); the frames around it
 * are written.
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
 * counted: an encrypted client never receives plaintext. It runs in the
 * middle of a send, between one recipient's write and the next: a send it
 * makes before it returns is refused (`SEND_FROM_TRANSFORMER`), and it must
 * not join or leave rooms.
 */
export type OutboundTransformer = (context: OutboundContext) => ValueOrPromise<TransformedFrame | null | undefined>;

/** What the outbound transformer gets for one message to one client. */
export interface OutboundContext {
  client: WebSocketClientInfo;
  event: string;
  data: unknown;
  /** A room message's position in its room's history, when the room keeps one; `encoded()` includes it. */
  position?: RoomPosition;
  /** The id of the request this message is, or of the client's request it answers (`sealed:reply`); `encoded()` includes it. */
  ack?: number;
  /**
   * The message as UTF-8 JSON `{ "event", "data", "position"?, "ack"? }`, serialized
   * once for all recipients of a send. Do not modify the bytes.
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
