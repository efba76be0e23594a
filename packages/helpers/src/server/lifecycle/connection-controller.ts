import type { RawData } from 'ws';
import { CloseCode } from '../../protocol/close-codes.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import { decodeTextFrame, validateFrame, type DecodeResult, type FrameLimits } from '../../protocol/frame-codec.ts';
import { ConnectionState } from '../registry/connection-state.ts';
import type { EventDispatcher } from './event-dispatcher.ts';
import { rawSocketOf } from '../delivery/raw-socket.ts';
import type { Logger } from '../../logging/logger.ts';
import type { ThrottledLog } from '../../logging/throttled-log.ts';
import type { ClientRegistry } from '../registry/client-registry.ts';
import type { InboundTransformer } from '../encryption-hooks.ts';
import type { RoomRegistry } from '../registry/room-registry.ts';
import type { ClientDisconnectedFn } from '../server-hooks.ts';
import type { ServerMetrics } from '../server-metrics.ts';
import type { RateLimitOptions } from '../server-settings.ts';
import { WebSocketClient } from '../registry/websocket-client.ts';
import { TokenRate } from '../../utils/token-rate.ts';
import type { ClientSocket, ClientSocketEvents } from './client-socket.ts';

/** What {@link ConnectionController} needs. */
export interface ConnectionControllerInit {
  frameLimits: FrameLimits;
  rateLimit: RateLimitOptions;
  /** Inbound bytes per second and burst, per client. */
  byteRate: { bytesPerSecond: number; burstBytes: number };
  maxInboundQueue: number;
  /** Requests to one client that may await their reply at once. */
  maxPendingRequests: number;
  authTimeoutMs: number;
  /** Largest frame accepted before the client is open. */
  maxPayloadBytesBeforeAuth: number;
  /** Bytes of frames accepted in all before the client is open. */
  maxBytesBeforeAuth: number;
  /** How long a client that never opened may take to close before its socket is cut off. */
  preAuthCloseGraceMs: number;
  inboundTransformer: InboundTransformer | undefined;
  clientDisconnectedFn: ClientDisconnectedFn | undefined;
  /** Told the rooms an open client was in as it goes, before it leaves them. */
  leavingRooms: (client: WebSocketClient, rooms: readonly string[]) => void;
  clients: ClientRegistry;
  rooms: RoomRegistry;
  dispatcher: EventDispatcher;
  /** Writes the room sends held for this turn, while their recipients are still open. */
  settle: () => void;
  /** Writes what this turn holds for the client now, ahead of its close frame. */
  flush: (client: WebSocketClient) => void;
  /** Sends `error` `{ code, message }` to one client. */
  sendError: (client: WebSocketClient, code: ErrorCode, message: string) => void;
  metrics: ServerMetrics;
  logger: Logger;
  /** Logs what a peer can repeat at will: the first of each kind per window, then a summary. */
  throttledLog: ThrottledLog;
  /** Epoch ms, for the time a client connected. */
  now: () => number;
  /** A monotonic clock in ms, for signs of life and the inbound rate limits: a wall-clock step must not time clients out or empty their buckets. */
  monotonicNow: () => number;
  newClientId: () => string;
}

/**
 * Owns each connection from the upgrade to the last byte: registers the
 * client, arms its auth timer, screens every inbound frame (rate limit, binary,
 * decoding, inbound queue cap) before the dispatcher sees it, closes it with a
 * named code, and cleans up after it.
 */
export class ConnectionController {
  readonly #closeListeners = new Set<() => void>();
  /** What every client's socket does with its events. */
  readonly #socketEvents: ClientSocketEvents;
  /** Every client's inbound frame bucket. */
  readonly #frameRate: TokenRate;
  /** Every client's inbound byte bucket, a token per byte. */
  readonly #byteRate: TokenRate;
  readonly #onInboundError = (error: unknown, client: WebSocketClient): void => {
    this.init.metrics.handlerErrors += 1;
    this.init.logger.error({ clientId: client.id, err: error }, 'inbound frame handling failed');
  };

  constructor(private readonly init: ConnectionControllerInit) {
    this.#frameRate = new TokenRate(init.rateLimit.messagesPerSecond, init.rateLimit.burst);
    this.#byteRate = new TokenRate(init.byteRate.bytesPerSecond, init.byteRate.burstBytes);
    this.#socketEvents = {
      message: (client, data, isBinary) => this.#onFrame(client, data, isBinary),
      pong: (client) => {
        client.lastSeenAt = init.monotonicNow();
      },
      error: (client, error) => init.logger.debug({ clientId: client.id, err: error }, 'socket error'),
      // ws emits close once.
      close: (client, code) => this.#finalize(client, code),
    };
  }

  /**
   * Takes over an upgraded socket, with the client's address, the function
   * that gives its pre-authentication slot back once it is open or gone, and
   * the first frame its upgrade carried: handled as the first frame read from
   * the socket, under the same checks.
   */
  accept(socket: ClientSocket, remoteAddress: string | undefined, releasePreAuthSlot: () => void, firstFrame?: Uint8Array): WebSocketClient {
    const { init } = this;
    const client = new WebSocketClient({
      id: init.newClientId(),
      socket,
      stream: rawSocketOf(socket),
      remoteAddress,
      nowMs: init.now(),
      monotonicNowMs: init.monotonicNow(),
      maxInboundQueue: init.maxInboundQueue,
      maxPendingRequests: init.maxPendingRequests,
      onInboundError: this.#onInboundError,
      releasePreAuthSlot,
    });
    socket.takeOver(client, this.#socketEvents);
    init.clients.add(client);
    init.metrics.connectionsAccepted += 1;
    const authTimer = setTimeout(() => this.#onAuthTimeout(client), init.authTimeoutMs);
    authTimer.unref();
    if (client.opening) client.opening.authTimer = authTimer;
    if (firstFrame) this.#onFrame(client, Buffer.from(firstFrame.buffer, firstFrame.byteOffset, firstFrame.length), false);
    return client;
  }

  /** Starts closing a client with a named code; later calls do nothing. */
  close(client: WebSocketClient, code: CloseCode | number, reason: string): void {
    if (client.lifecycle.isEnding) return;
    // Room sends made before the close reach the client; writing them may itself end it (a slow consumer).
    this.init.settle();
    if (client.lifecycle.isEnding) return;
    client.lifecycle.transition(ConnectionState.CLOSING);
    client.clearTimers();
    // Frames of this turn go out (and deferred ones are sealed) before the keys are dropped and the close frame is written.
    this.init.flush(client);
    client.disposeSession();
    client.socket.close(code, reason);
    // A client that never opened gets a short grace for the closing handshake, not ws's 30 s: its slot is needed.
    if (!client.lifecycle.hasOpened) {
      client.terminateTimer = setTimeout(() => this.#terminate(client), this.init.preAuthCloseGraceMs);
      client.terminateTimer.unref();
    }
  }

  /**
   * Ends a client at once, without a closing handshake (the peer sees 1006):
   * for a client whose unsent bytes must be freed now, since a close frame
   * would wait behind them.
   */
  cutOff(client: WebSocketClient, reason: string): void {
    if (client.lifecycle.isEnding) return;
    client.lifecycle.transition(ConnectionState.CLOSING);
    client.clearTimers();
    client.disposeSession();
    this.init.throttledLog.note('client cut off', reason, { clientId: client.id });
    client.socket.terminate();
  }

  #terminate(client: WebSocketClient): void {
    client.terminateTimer = undefined;
    this.init.metrics.preAuthTerminations += 1;
    client.socket.terminate();
  }

  /** Calls `listener` each time a client has fully closed and been removed. */
  onClientClosed(listener: () => void): () => void {
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  #onFrame(client: WebSocketClient, data: RawData, isBinary: boolean): void {
    if (client.lifecycle.isEnding) return;
    const now = this.init.monotonicNow();
    client.lastSeenAt = now;
    const framesFullAt = this.#frameRate.take(client.framesFullAt, now);
    if (framesFullAt === undefined) {
      this.#closeRateLimited(client, 'Rate limit exceeded');
      return;
    }
    client.framesFullAt = framesFullAt;
    const bytes = data as Buffer;
    const bytesFullAt = this.#byteRate.take(client.bytesFullAt, now, bytes.length);
    if (bytesFullAt === undefined) {
      this.init.metrics.byteRateLimitCloses += 1;
      this.#closeRateLimited(client, 'Byte rate limit exceeded');
      return;
    }
    client.bytesFullAt = bytesFullAt;
    if (!client.lifecycle.hasOpened && !this.#withinPreAuthBudget(client, bytes.length)) return;
    // Decided when the frame's turn comes: a handshake that finishes just before it protects it.
    this.#enqueue(client, () => {
      if (client.lifecycle.isEnding) return;
      if (client.protectedFrames && this.init.inboundTransformer) return this.#handleTransformed(client, isBinary ? bytes : bytes.toString());
      return this.#handlePlain(client, bytes, isBinary);
    });
  }

  /** Before the client is open, frames are small and few: checks one frame against both limits, closing the client past either. */
  #withinPreAuthBudget(client: WebSocketClient, length: number): boolean {
    if (length > this.init.maxPayloadBytesBeforeAuth) {
      this.init.metrics.preAuthOversize += 1;
      this.init.throttledLog.note('client closed', 'FRAME_TOO_LARGE_BEFORE_AUTH', { clientId: client.id, bytes: length });
      this.close(client, CloseCode.MESSAGE_TOO_BIG, 'Frame too large before authentication');
      return false;
    }
    const opening = client.opening;
    if (!opening) return true;
    opening.bytesBeforeOpen += length;
    if (opening.bytesBeforeOpen > this.init.maxBytesBeforeAuth) {
      this.init.metrics.preAuthByteCloses += 1;
      this.#closeRateLimited(client, 'Too many bytes before authentication');
      return false;
    }
    return true;
  }

  /** Frames from a client whose frames are not protected: text JSON, validated, then dispatched. */
  #handlePlain(client: WebSocketClient, bytes: Buffer, isBinary: boolean): void | Promise<void> {
    if (isBinary) {
      this.#reject(client, ErrorCode.BINARY_NOT_SUPPORTED, 'Binary frames are not accepted on this connection');
      return;
    }
    const result = decodeTextFrame(bytes.toString(), this.init.frameLimits);
    if (!result.ok) {
      this.#reject(client, result.code, result.reason);
      return;
    }
    return this.init.dispatcher.dispatch(client, result.message);
  }

  #enqueue(client: WebSocketClient, task: () => void | Promise<void>): void {
    if (!client.inbound.push(task)) this.#closeRateLimited(client, 'Inbound queue full');
  }

  /** Frames from a client whose frames are protected: opened by the inbound transformer, then validated like any other. */
  async #handleTransformed(client: WebSocketClient, frame: Uint8Array | string): Promise<void> {
    let message: Awaited<ReturnType<InboundTransformer>>;
    try {
      message = await this.init.inboundTransformer!({ client, frame });
    } catch (error) {
      this.init.logger.debug({ clientId: client.id, err: error }, 'inbound transformer threw');
      message = undefined;
    }
    if (client.lifecycle.isEnding) return;
    if (message === null || message === undefined) {
      this.init.metrics.cryptoFailures += 1;
      this.init.throttledLog.note('client closed', 'CRYPTO_FAILURE', { clientId: client.id });
      this.close(client, CloseCode.CRYPTO_FAILURE, 'Frame rejected');
      return;
    }
    const result: DecodeResult =
      typeof message === 'string' ? decodeTextFrame(message, this.init.frameLimits) : validateFrame(message, this.init.frameLimits);
    if (!result.ok) {
      this.#reject(client, result.code, result.reason);
      return;
    }
    await this.init.dispatcher.dispatch(client, result.message);
  }

  #closeRateLimited(client: WebSocketClient, reason: string): void {
    this.init.metrics.rateLimitCloses += 1;
    this.init.throttledLog.note('client closed', 'RATE_LIMITED', { clientId: client.id, limit: reason });
    this.init.sendError(client, ErrorCode.RATE_LIMITED, reason);
    this.close(client, CloseCode.RATE_LIMITED, reason);
  }

  /** Client-caused: answered, counted, and logged through the throttled log so a flood cannot flood the logs. */
  #reject(client: WebSocketClient, code: ErrorCode, reason: string): void {
    this.init.metrics.framesRejected += 1;
    this.init.throttledLog.note('frame rejected', code, { clientId: client.id });
    this.init.sendError(client, code, reason);
  }

  #onAuthTimeout(client: WebSocketClient): void {
    if (client.opening) client.opening.authTimer = undefined;
    if (client.state === ConnectionState.OPEN || client.lifecycle.isEnding) return;
    this.init.metrics.authTimeouts += 1;
    this.init.sendError(client, ErrorCode.AUTH_TIMEOUT, 'Authentication timed out');
    this.close(client, CloseCode.AUTH_TIMEOUT, 'Authentication timeout');
  }

  #finalize(client: WebSocketClient, code: number): void {
    client.releaseAll();
    client.disposeSession();
    client.lifecycle.transition(ConnectionState.CLOSED);
    if (client.lifecycle.hasOpened && client.roomCount > 0) this.init.leavingRooms(client, client.roomList());
    this.init.rooms.leaveAll(client);
    this.init.clients.remove(client);
    this.init.logger.debug({ clientId: client.id, code }, 'client closed');
    if (client.lifecycle.hasOpened && client.userId !== undefined) this.#notifyDisconnected(client, client.userId, code);
    for (const listener of this.#closeListeners) listener();
  }

  #notifyDisconnected(client: WebSocketClient, userId: string, closeCode: number): void {
    const hook = this.init.clientDisconnectedFn;
    if (!hook) return;
    Promise.resolve()
      .then(() => hook({ clientId: client.id, userId, closeCode }))
      .catch((error: unknown) => {
        this.init.metrics.handlerErrors += 1;
        this.init.logger.error({ clientId: client.id, err: error }, 'clientDisconnectedFn threw');
      });
  }
}
