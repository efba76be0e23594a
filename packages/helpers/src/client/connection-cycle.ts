import { zeroize } from '../crypto/bytes.ts';
import { CloseCode } from '../protocol/close-codes.ts';
import type { ProtocolMessage } from '../protocol/frame-codec.ts';
import { ClientConnection } from './client-connection.ts';
import type { ClientConnectionEvents } from './client-connection-events.ts';
import type { ClientConnectionSettings } from './connection-settings.ts';
import { ClientStateMachine, SealedClientState } from './client-state.ts';
import { decideAfterClose } from './close-decision.ts';
import { reconnectDelay, type ReconnectPolicy } from './reconnect-policy.ts';
import { ClientFailureCode, SealedClientError } from './sealed-client-error.ts';
import type { ConnectionInfo } from './sealed-client-options.ts';
import type { TicketKeeper } from './ticket-keeper.ts';
import type { WebSocketConstructor } from './websocket-like.ts';

/** What the cycle tells the client, of the current connection only. */
export interface ConnectionCycleEvents {
  /** A connection is open (the `connect()` promise is settled with `info`). */
  opened(info: ConnectionInfo): void;
  message(message: ProtocolMessage): void;
  /** Something that does not end the connection. */
  problem(problem: SealedClientError): void;
  /** A connection was given up, or no socket could be opened. */
  failure(failure: SealedClientError): void;
  /** The socket closed; the state already says whether the client reconnects. */
  closed(code: number, reason: string): void;
  reconnecting(attempt: { attempt: number; delayMs: number }): void;
  /** The client gave up (after a close, or when no socket could be opened): nothing more will be sent. */
  ended(error: SealedClientError): void;
  /** The current connection's credentials went out: emits may follow them before it opens (`ClientConnection.sendEarly`). */
  credentialsSent(): void;
  /** The current connection went: answers awaited on it will not come. `mayHaveOpened`: the server may have opened it, unseen ({@link ClientConnection.mayHaveOpened}). */
  detached(mayHaveOpened: boolean): void;
}

/** What {@link ConnectionCycle} needs from the client. */
export interface ConnectionCycleInit {
  url: string;
  /** The WebSocket class to open sockets with; `undefined` when there is none. */
  webSocketClass: () => WebSocketConstructor | undefined;
  settings: () => ClientConnectionSettings;
  reconnect: ReconnectPolicy;
  tickets: TicketKeeper;
  events: ConnectionCycleEvents;
}

interface PendingConnect {
  resolve: (info: ConnectionInfo) => void;
  reject: (error: Error) => void;
}

/**
 * The client's sockets, one after another: opens one, follows its events
 * while it is the current one, and after it closes decides whether to open
 * the next at once (the server refused a resumption), after the backoff, or
 * never. Owns the client's state and the `connect()` promise.
 */
export class ConnectionCycle {
  readonly #state = new ClientStateMachine();
  #connection: ClientConnection | undefined;
  #info: ConnectionInfo | undefined;
  /** Reconnect attempts since the client was last open. */
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #connecting: PendingConnect | undefined;
  #connectPromise: Promise<ConnectionInfo> | undefined;

  constructor(private readonly init: ConnectionCycleInit) {}

  get state(): SealedClientState {
    return this.#state.state;
  }

  /** Set while open. */
  get info(): ConnectionInfo | undefined {
    return this.#info;
  }

  /** The current connection, open or on its way. */
  get current(): ClientConnection | undefined {
    return this.#connection;
  }

  /** See `SealedClient.connect`. */
  connect(): Promise<ConnectionInfo> {
    if (this.state === SealedClientState.OPEN && this.#info) return Promise.resolve(this.#info);
    if (this.#connectPromise) return this.#connectPromise;
    const WebSocketClass = this.init.webSocketClass();
    if (!WebSocketClass) {
      return Promise.reject(
        new SealedClientError(ClientFailureCode.NO_WEBSOCKET, 'No WebSocket implementation: pass the "WebSocket" option (e.g. from "ws")'),
      );
    }
    const promise = new Promise<ConnectionInfo>((resolve, reject) => {
      this.#connecting = { resolve, reject };
    });
    this.#connectPromise = promise;
    // While reconnecting: an attempt under way settles this promise; one waiting out its backoff is made now.
    if (this.#connection) return promise;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#open(WebSocketClass);
    return promise;
  }

  /** Closes for good: no reconnect, and the next `connect()` runs the full handshake. */
  close(): void {
    this.#state.transition(SealedClientState.CLOSED);
    this.init.tickets.drop();
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#settleConnect(new SealedClientError(ClientFailureCode.CLOSED, 'Client closed'));
    const connection = this.#connection;
    this.#detach(connection?.mayHaveOpened ?? false);
    connection?.close(CloseCode.NORMAL, 'Client closed');
  }

  /** Opens the next socket; a URL the WebSocket class refuses ends the client. */
  #open(WebSocketClass: WebSocketConstructor): void {
    this.#state.transition(SealedClientState.CONNECTING);
    let connection: ClientConnection | undefined;
    const events = this.#eventsOf(() => connection);
    try {
      connection = new ClientConnection(WebSocketClass, this.init.url, this.init.settings(), events);
    } catch (error) {
      const failure = error instanceof SealedClientError ? error : new SealedClientError(ClientFailureCode.INVALID_URL, 'Cannot connect', { cause: error });
      this.#state.transition(SealedClientState.CLOSED);
      if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = undefined;
      // A reconnect may get here with emits queued: nothing will send them now.
      this.init.events.ended(new SealedClientError(ClientFailureCode.CLOSED, 'No socket could be opened: the client gave up', { cause: failure }));
      this.#settleConnect(failure);
      this.init.events.failure(failure);
      return;
    }
    this.#connection = connection;
  }

  /** The events of one connection, ignored once it is no longer the current one. */
  #eventsOf(connection: () => ClientConnection | undefined): ClientConnectionEvents {
    const current = (): boolean => connection() !== undefined && connection() === this.#connection;
    const events = this.init.events;
    return {
      onAuthenticating: () => {
        if (current()) this.#state.transition(SealedClientState.AUTHENTICATING);
      },
      onCredentialsSent: () => {
        if (current()) events.credentialsSent();
      },
      onOpen: (info) => {
        if (current()) this.#onOpen(info);
      },
      onTicket: (ticket) => {
        if (current()) this.init.tickets.keep(ticket);
        else zeroize(ticket.secret);
      },
      onTicketUnanswered: (ticket) => {
        if (current()) this.init.tickets.keepUnanswered(ticket);
        else zeroize(ticket.secret);
      },
      onMessage: (message) => {
        if (current()) events.message(message);
      },
      onProblem: (problem) => {
        if (current()) events.problem(problem);
      },
      onFailure: (failure) => {
        if (current()) events.failure(failure);
      },
      onClose: (code, reason, failure) => {
        if (current()) this.#onClose(code, reason, failure);
      },
    };
  }

  #onOpen(info: ConnectionInfo): void {
    this.#info = info;
    this.#state.transition(SealedClientState.OPEN);
    this.#attempt = 0;
    this.#settleConnect(undefined, info);
    this.init.events.opened(info);
  }

  #onClose(code: number, reason: string, failure: SealedClientError | undefined): void {
    this.#detach(this.#connection?.mayHaveOpened ?? false);
    const reconnect = this.init.reconnect;
    const decision = decideAfterClose({ code, failure: failure?.code, reconnect, attempt: this.#attempt });
    if (decision === 'FULL_HANDSHAKE_NOW' && this.state !== SealedClientState.CLOSED) {
      this.#state.transition(SealedClientState.RECONNECTING);
      this.#open(this.init.webSocketClass()!);
      return;
    }
    const retry = decision === 'RECONNECT';
    // The state is settled before anyone hears of the close, so listeners see where the client is going.
    this.#state.transition(retry ? SealedClientState.RECONNECTING : SealedClientState.CLOSED);
    if (!retry) {
      // Settled before listeners hear of the close, so a `connect()` of theirs starts afresh.
      this.init.events.ended(new SealedClientError(ClientFailureCode.CLOSED, `Connection closed (${code}) before the emit could be sent`, { closeCode: code }));
      this.#settleConnect(failure ?? new SealedClientError(ClientFailureCode.CLOSED, `Connection closed (${code})`, { closeCode: code }));
      this.init.events.closed(code, reason);
      return;
    }
    this.init.events.closed(code, reason);
    const delayMs = reconnectDelay(reconnect, this.#attempt);
    this.#attempt += 1;
    this.init.events.reconnecting({ attempt: this.#attempt, delayMs });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      // A listener's `connect()` may have made this attempt already.
      if (this.state !== SealedClientState.RECONNECTING || this.#connection) return;
      this.#open(this.init.webSocketClass()!);
    }, delayMs);
  }

  #detach(mayHaveOpened: boolean): void {
    this.#connection = undefined;
    this.#info = undefined;
    this.init.events.detached(mayHaveOpened);
  }

  #settleConnect(error: SealedClientError | undefined, info?: ConnectionInfo): void {
    const connecting = this.#connecting;
    this.#connecting = undefined;
    this.#connectPromise = undefined;
    if (!connecting) return;
    if (error) connecting.reject(error);
    else connecting.resolve(info!);
  }
}
