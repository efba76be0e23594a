import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { SerialTaskQueue } from '../../utils/serial-task-queue.ts';
import { ConnectionStateMachine, type ConnectionState } from './connection-state.ts';
import type { ClientSession, SessionResumption } from '../encryption-hooks.ts';
import { ClientOpening } from './client-opening.ts';
import { SealedError } from '../../protocol/sealed-error.ts';
import { UsageErrorCode } from '../../protocol/usage-error-codes.ts';
import { PendingReplies, type PendingReplyFailure } from '../../utils/pending-replies.ts';
import type { ReplyPayload } from '../../protocol/request-reply.ts';
import type { TokenRate } from '../../utils/token-rate.ts';
import { countOf, includes, valuesOf, withValue, withoutValue, type OneOrMany } from '../../utils/one-or-many.ts';

const SETTLED: Promise<unknown> = Promise.resolve();

/** The error a request to a client fails with when the server ends it itself. */
const requestFailure = (failure: PendingReplyFailure, message: string): Error => new SealedError(UsageErrorCode[failure], message);

/** What a client looks like to application code: read-only facts about one connection. */
export interface WebSocketClientInfo {
  readonly id: string;
  /** Set once authenticated. */
  readonly userId: string | undefined;
  readonly state: ConnectionState;
  /** The rooms the client is in when read: a copy, which later joins and leaves do not change. */
  readonly rooms: ReadonlySet<string>;
  readonly connectedAt: number;
  readonly metadata: Record<string, unknown> | undefined;
  /** True once a handshake made the client's frames confidential: it then never receives plaintext. */
  readonly encrypted: boolean;
  /** What the handshake left for the transformers (for example the secure channel). */
  readonly session: ClientSession | undefined;
  /** The device identity key the client proved in the handshake (`HandshakeOutcome.deviceKey`), if any. */
  readonly deviceKey: Uint8Array | undefined;
}

/**
 * A frozen copy of what `client` looks like now, for application code: it
 * does not change with the connection, and changing it changes nothing.
 */
export function clientSnapshot(client: WebSocketClientInfo): WebSocketClientInfo {
  return Object.freeze({
    id: client.id,
    userId: client.userId,
    state: client.state,
    rooms: new Set(client.rooms) as ReadonlySet<string>,
    connectedAt: client.connectedAt,
    metadata: client.metadata,
    encrypted: client.encrypted,
    session: client.session,
    deviceKey: client.deviceKey && Uint8Array.from(client.deviceKey),
  });
}

/** Construction parameters of a {@link WebSocketClient}. */
export interface WebSocketClientInit {
  id: string;
  socket: WebSocket;
  /** The TCP socket under `socket`, for framed writes. */
  stream: Duplex;
  remoteAddress: string | undefined;
  /** When the connection was accepted, in epoch ms. */
  nowMs: number;
  /** The same moment on the server's monotonic clock (`performance.now()` ms). */
  monotonicNowMs: number;
  maxInboundQueue: number;
  /** Requests to this client that may await their reply at once. */
  maxPendingRequests: number;
  /** Told what a frame's handling threw, with the client. */
  onInboundError: (error: unknown, client: WebSocketClient) => void;
  /** Gives back the client's slot among the connections not yet authenticated. */
  releasePreAuthSlot: () => void;
}

/**
 * Everything the server keeps about one connection. Owned by the server; the
 * application sees it through {@link WebSocketClientInfo}.
 */
export class WebSocketClient implements WebSocketClientInfo {
  readonly id: string;
  readonly socket: WebSocket;
  readonly stream: Duplex;
  readonly remoteAddress: string | undefined;
  readonly connectedAt: number;
  readonly lifecycle = new ConnectionStateMachine();
  readonly inbound: SerialTaskQueue<WebSocketClient>;
  /** The client's inbound frame bucket ({@link TokenRate}): when it is full again, on the monotonic clock. */
  framesFullAt = 0;
  /** The client's inbound byte bucket, in tokens of one byte: when it is full again, on the monotonic clock. */
  bytesFullAt = 0;
  userId: string | undefined;
  metadata: Record<string, unknown> | undefined;
  encrypted = false;
  /** True once every frame to and from the client goes through the transformers (encrypted, or authenticated only). */
  protectedFrames = false;
  session: ClientSession | undefined;
  deviceKey: Uint8Array | undefined;
  /** What the client holds until it is open (auth timer, pending handshake, pre-authentication slot); dropped once open. */
  opening: ClientOpening | undefined;
  /** Settles when every transformed send queued so far has been written or dropped; keeps per-client order. */
  outboxTail: Promise<unknown> = SETTLED;
  /** The socket's unsent bytes when last written to, for the outbound budget. */
  observedBufferedBytes = 0;
  /** Transformed sends queued and not yet written. */
  outboxPending = 0;
  /** Last time anything was heard from the client (a frame or a pong), on the monotonic clock (`performance.now()` ms). */
  lastSeenAt: number;
  /** Cuts off the socket of a client that never opened if its closing handshake takes too long. */
  terminateTimer: NodeJS.Timeout | undefined;
  /** The session's resumption tickets, when its handshake offers them. */
  resumption: SessionResumption | undefined;
  /** When the client was last sent a ticket, in epoch ms. */
  ticketIssuedAt = 0;
  /** The rooms the client is in; the room registry keeps it in step with the rooms' member sets. */
  #rooms: OneOrMany<string> = undefined;
  /** Made at the first request to this client: most clients are never asked anything. */
  #requests: PendingReplies | undefined;
  readonly #maxPendingRequests: number;

  constructor(init: WebSocketClientInit) {
    this.id = init.id;
    this.socket = init.socket;
    this.stream = init.stream;
    this.remoteAddress = init.remoteAddress;
    this.connectedAt = init.nowMs;
    this.lastSeenAt = init.monotonicNowMs;
    this.inbound = new SerialTaskQueue<WebSocketClient>(init.maxInboundQueue, init.onInboundError, this);
    this.#maxPendingRequests = init.maxPendingRequests;
    this.opening = new ClientOpening(init.monotonicNowMs, init.releasePreAuthSlot);
  }

  /**
   * Bytes written to the client's socket and not yet taken by the kernel:
   * what `ws`'s `bufferedAmount` reports here (its own sender never holds
   * any: no compression, no blobs), read from the socket without its getter.
   */
  get unsentBytes(): number {
    return this.stream.writableLength;
  }

  /** The server's requests to this client that await its reply. */
  get requests(): PendingReplies {
    this.#requests ??= new PendingReplies(this.#maxPendingRequests, requestFailure);
    return this.#requests;
  }

  /** Settles the request `ack` with the client's reply; false when none awaits it. Makes no request table for a client never asked anything. */
  settleRequest(ack: number, reply: ReplyPayload): boolean {
    return this.#requests?.settle(ack, reply) ?? false;
  }

  /** Gives back the slot this client holds among the connections not yet authenticated (once it is open or gone); later calls do nothing. */
  releasePreAuthSlot(): void {
    this.opening?.releaseSlot();
  }

  /** The client is open: its auth timer is cleared, its pre-authentication slot given back, and what it held until now dropped (returned, for the time it took). */
  finishOpening(): ClientOpening | undefined {
    const opening = this.opening;
    this.opening = undefined;
    opening?.clearAuthTimer();
    opening?.releaseSlot();
    return opening;
  }

  /** The rooms the client is in, as a new set at each read. */
  get rooms(): ReadonlySet<string> {
    return new Set(valuesOf(this.#rooms));
  }

  /** Whether the client is in `room`. */
  inRoom(room: string): boolean {
    return includes(this.#rooms, room);
  }

  /** How many rooms the client is in. */
  get roomCount(): number {
    return countOf(this.#rooms);
  }

  /** The rooms the client is in, in the order it joined them. */
  roomList(): string[] {
    return [...valuesOf(this.#rooms)];
  }

  /** Notes that the client is in `room`: for the room registry only, which keeps the room's members in step. */
  addRoom(room: string): void {
    this.#rooms = withValue(this.#rooms, room);
  }

  /** Notes that the client left `room`, for the room registry only; false when it was not in it. */
  removeRoom(room: string): boolean {
    if (!includes(this.#rooms, room)) return false;
    this.#rooms = withoutValue(this.#rooms, room);
    return true;
  }

  get state(): ConnectionState {
    return this.lifecycle.state;
  }

  /** Releases the timers this client holds. Safe to call more than once. */
  clearTimers(): void {
    this.opening?.clearAuthTimer();
  }

  /** Releases everything the client holds once its socket is gone: timers, its pre-authentication slot, and the requests awaiting its reply (`DISCONNECTED`). Safe to call more than once. */
  releaseAll(): void {
    this.clearTimers();
    this.#requests?.rejectAll(new SealedError(UsageErrorCode.DISCONNECTED, 'The client disconnected before it replied'));
    if (this.terminateTimer) clearTimeout(this.terminateTimer);
    this.terminateTimer = undefined;
    this.releasePreAuthSlot();
  }

  /** Disposes of the handshake's session (zeroing its keys), and of a handshake still waiting for its finish. Safe to call more than once. */
  disposeSession(): void {
    const opening = this.opening;
    const pending = opening?.pendingHandshake;
    if (opening) opening.pendingHandshake = undefined;
    pending?.challenge.abandon();
    const session = this.session;
    this.session = undefined;
    session?.dispose?.();
  }
}
