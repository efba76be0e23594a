import { toBase64 } from '../crypto/bytes.ts';
import type { CryptoProvider, RawKeyPair } from '../crypto/crypto-provider.ts';
import { InMemoryPinStore, type PinStore } from '../crypto/pin-store.ts';
import { PortableCryptoProvider } from '../crypto/portable-crypto-provider.ts';
import { SecurityLevel } from '../crypto/security-level.ts';
import { ClientEvent, ServerEvent } from '../protocol/event-names.ts';
import type { ProtocolMessage } from '../protocol/frame-codec.ts';
import { BufferedEmitter, type Listener } from './buffered-emitter.ts';
import { checkConnectionOptions, connectionSettings, type ClientConnectionSettings, type UpgradeFrameRefusal } from './connection-settings.ts';
import { ConnectionCycle } from './connection-cycle.ts';
import { EndToEndLoader } from './end-to-end/end-to-end-loader.ts';
import { withFingerprint } from '../crypto/identity-fingerprint.ts';
import { ClientLifecycleEvent, reportListenerFailure, type ClientLifecycleEvents, type RoomDeviceInfo } from './client-lifecycle-event.ts';
import { SealedClientState } from './client-state.ts';
import { ClientFailureCode, SealedClientError } from './sealed-client-error.ts';
import { SEALED_CLIENT_DEFAULTS } from './sealed-client-defaults.ts';
import { RECONNECT_DEFAULTS } from './reconnect-policy.ts';
import type {
  ConnectionInfo,
  EventMap,
  JoinResult,
  LeaveResult,
  RequestHandler,
  RequestOptions,
  SealedClientOptions,
} from './sealed-client-options.ts';
import { ClientRequests } from './client-requests.ts';
import type { AnyEventMap, EventName, PayloadArgument, PayloadOf, ResultOf } from '../protocol/event-map.ts';
import { ClientRooms, rejoinResult } from './client-rooms.ts';
import { OfflineQueue } from './offline-queue.ts';
import { TicketKeeper } from './ticket-keeper.ts';
import type { StreamPosition } from '../protocol/room-position.ts';
import type { PresenceMember } from '../protocol/presence.ts';
import type { WebSocketConstructor } from './websocket-like.ts';

/**
 * The Sealed client for Node (`ws`) and browsers (`WebSocket` + WebCrypto):
 * connects, authenticates, runs the handshake, verifies the server key,
 * encrypts and decrypts both ways, joins and leaves rooms with answers, and
 * reconnects with backoff and a fresh handshake, rejoining its rooms.
 *
 * This is the facade: each socket's life is a `ClientConnection`, opened
 * one after another by a {@link ConnectionCycle} (state, reconnect); the
 * client keeps what outlives a socket (rooms, listeners, queued emits,
 * requests).
 * A listener that throws is reported as a `sealed:error` event
 * (`LISTENER_FAILED`) and never stops delivery.
 *
 * @example
 * const client = new SealedClient({ url: 'wss://chat.example/ws', credentials: { token } });
 * client.on('chat', (message) => console.log(message));
 * await client.connect();
 * await client.join(['lobby']);
 * await client.emit('chat', { room: 'lobby', text: 'hello' });
 */
export class SealedClient<Incoming extends EventMap = AnyEventMap, Outgoing extends EventMap = AnyEventMap> {
  readonly #options: SealedClientOptions;
  readonly #crypto: CryptoProvider;
  readonly #level: SecurityLevel;
  readonly #pins: PinStore;
  readonly #emitter: BufferedEmitter;
  readonly #now: () => number;
  readonly #cycle: ConnectionCycle;
  #identity: RawKeyPair | undefined;
  readonly #rooms: ClientRooms;
  readonly #offline: OfflineQueue;
  /** From a connection's opening until its rooms are rejoined and the queue drained: emits queue behind the earlier ones. */
  #holdingEmits = false;
  /** Cleared, until a connection opens, when one closed before opening with early emits in flight: it may have been closed for them (a server with smaller limits before the open). */
  #earlyAllowed = true;
  /** The newest resumption ticket from the server, for the next connection. */
  readonly #tickets: TicketKeeper;
  readonly #upgradeFrames: UpgradeFrameRefusal = { refused: false };
  readonly #requests: ClientRequests;
  /** Unset when the application does the member side of end-to-end rooms itself (`endToEnd.enabled: false`). */
  readonly #endToEnd: EndToEndLoader | undefined;

  constructor(options: SealedClientOptions) {
    checkConnectionOptions(options);
    this.#options = options;
    this.#crypto = options.crypto ?? new PortableCryptoProvider();
    this.#level = options.level ?? SecurityLevel.ENCRYPTED;
    this.#pins = options.pins ?? new InMemoryPinStore();
    this.#emitter = new BufferedEmitter(options.maxBufferedEvents ?? SEALED_CLIENT_DEFAULTS.maxBufferedEvents, (event, error) =>
      reportListenerFailure(this.#emitter, event, error),
    );
    this.#now = options.now ?? Date.now;
    this.#offline = new OfflineQueue(options.maxQueuedEmits ?? SEALED_CLIENT_DEFAULTS.maxQueuedEmits);
    this.#identity = options.identity;
    this.#tickets = new TicketKeeper(options.resume !== false, this.#now);
    this.#rooms = new ClientRooms({
      send: (event, data) => this.#send(event, data),
      deliver: (event, data) => this.#emitter.emit(event, data),
    });
    this.#requests = new ClientRequests({
      maxPendingRequests: options.maxPendingRequests ?? SEALED_CLIENT_DEFAULTS.maxPendingRequests,
      defaultTimeoutMs: options.requestTimeoutMs ?? SEALED_CLIENT_DEFAULTS.requestTimeoutMs,
      onHandlerError: (event, error) => reportListenerFailure(this.#emitter, event, error),
      onMalformedReply: (message) => this.#emitter.emit(ClientLifecycleEvent.ERROR, { code: ClientFailureCode.MALFORMED_FRAME, message }),
    });
    this.#endToEnd = options.endToEnd?.enabled === false ? undefined : new EndToEndLoader({
      rotationIntervalMs: options.endToEnd?.rotationIntervalMs,
      stateStore: options.endToEnd?.stateStore,
      crypto: this.#crypto,
      identity: () => this.#ensureIdentity(),
      userId: () => this.#cycle.info?.userId,
      request: (event, data) => this.#protocolRequest(event, data),
      emit: (event, data) => this.#emitter.emit(event, data),
    });
    this.#cycle = new ConnectionCycle({
      url: options.url,
      webSocketClass: () => options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket,
      settings: () => this.#settings(),
      reconnect: { ...RECONNECT_DEFAULTS, ...options.reconnect },
      tickets: this.#tickets,
      events: {
        opened: (info) => this.#onOpen(info),
        message: (message) => this.#dispatch(message),
        problem: (problem) => this.#emitter.emit(ClientLifecycleEvent.ERROR, { code: problem.code, message: problem.message }),
        failure: (failure) => this.#emitter.emit(ClientLifecycleEvent.FAILURE, { code: failure.code, message: failure.message }),
        closed: (code, reason) => this.#emitter.emit(ClientLifecycleEvent.CLOSE, { code, reason }),
        reconnecting: (attempt) => this.#emitter.emit(ClientLifecycleEvent.RECONNECTING, attempt),
        ended: (error) => {
          this.#holdingEmits = false;
          this.#offline.rejectAll(error);
        },
        credentialsSent: () => this.#sendEarly(),
        detached: (mayHaveOpened) => {
          if (this.#offline.hasEarly) this.#earlyAllowed = false;
          this.#offline.notOpened(mayHaveOpened);
          this.#rooms.connectionLost(new SealedClientError(ClientFailureCode.NOT_OPEN, 'The connection closed'));
          this.#requests.connectionLost();
        },
      },
    });
  }

  get state(): SealedClientState {
    return this.#cycle.state;
  }

  /** Set while open. */
  get connection(): ConnectionInfo | undefined {
    return this.#cycle.info;
  }

  /** The rooms the server last said this client is in. */
  get rooms(): string[] {
    return this.#rooms.current;
  }

  /** The last position seen in a room that keeps history (what a rejoin names in `since`). */
  positionOf(room: string): StreamPosition | undefined {
    return this.#rooms.positionOf(room);
  }

  /** The client's identity public key, base64 (what the server pins for this user). */
  get identityPublicKey(): string {
    return toBase64(this.#ensureIdentity().publicKey);
  }

  /** Listens to an application event, a server `error`, or a `sealed:` lifecycle event. */
  on<K extends EventName<Incoming>>(event: K, listener: Listener<PayloadOf<Incoming[K]>>): () => void;
  on<K extends keyof ClientLifecycleEvents>(event: K, listener: Listener<ClientLifecycleEvents[K]>): () => void;
  on(event: string, listener: Listener<any>): () => void {
    return this.#emitter.on(event, listener);
  }

  off(event: string, listener: Listener<any>): void {
    this.#emitter.off(event, listener);
  }

  /**
   * Connects, authenticates and completes the handshake. Resolves once open;
   * rejects with a `SealedClientError` on a refusal that retrying cannot fix
   * (bad credentials, server key mismatch, downgrade), when no socket can be
   * opened (`NO_WEBSOCKET`, `INVALID_URL`), or when closed. Called while
   * the client reconnects, it resolves once it is back, and an attempt that
   * waits out its backoff is made at once.
   */
  connect(): Promise<ConnectionInfo> {
    return this.#cycle.connect();
  }

  /**
   * Sends an application event; encrypted when the connection is. While the
   * client connects (the first time or again), the emit is queued and sent
   * once the connection is open and its rooms are rejoined, in order
   * (`maxQueuedEmits`); before `connect()` and after `close()` it is refused.
   */
  emit<K extends EventName<Outgoing>>(event: K, ...[data]: PayloadArgument<PayloadOf<Outgoing[K]>>): Promise<void>;
  emit(event: string, data?: unknown): Promise<void> {
    if (!this.#shouldQueue()) return this.#send(event, data);
    const queued = this.#offline.push(event, data);
    this.#sendEarly();
    return queued;
  }

  /**
   * Sends an application event as a request and resolves with what the
   * server's `messageHandler` returns for it. Queued like `emit` while the
   * client connects; its timeout runs from this call.
   *
   * @example
   * const total = await client.request('cart-total', { cart: 'c1' }, { timeoutMs: 2_000 });
   *
   * @throws SealedClientError (as a rejection): `REQUEST_TIMEOUT`, `TOO_MANY_PENDING_REQUESTS`, `NOT_OPEN`,
   * `DISCONNECTED` (the connection went after the request was sent), `OFFLINE_QUEUE_FULL`, `CLOSED`;
   * a `SealedError` with the server's code and message when its handler failed (`HANDLER_FAILED`,
   * `NO_HANDLER`, or the application's own code).
   */
  request<K extends EventName<Outgoing>>(event: K, data?: PayloadOf<Outgoing[K]>, options: RequestOptions = {}): Promise<ResultOf<Outgoing[K]>> {
    const queue = this.#shouldQueue();
    if (!queue && (this.state !== SealedClientState.OPEN || !this.#cycle.current)) {
      return Promise.reject(new SealedClientError(ClientFailureCode.NOT_OPEN, 'The connection is not open'));
    }
    const { ack, reply } = this.#requests.open(options.timeoutMs);
    if (this.#requests.isWaiting(ack)) {
      if (queue) this.#offline.push(event, data, ack).catch((error: Error) => this.#requests.cancel(ack, error));
      else this.#sendRequest(event, data, ack).catch(() => undefined);
    }
    return reply as Promise<ResultOf<Outgoing[K]>>;
  }

  /**
   * Answers the server's requests of one event (`request` on the server):
   * what `handler` returns (or resolves to) is the reply. One handler per
   * event; a later one takes its place. Returns its removal.
   */
  onRequest<K extends EventName<Incoming>>(event: K, handler: RequestHandler<PayloadOf<Incoming[K]>, ResultOf<Incoming[K]>>): () => void;
  onRequest(event: string, handler: RequestHandler): () => void {
    return this.#requests.handle(event, handler);
  }

  /**
   * The members of a room the client is in that tracks presence, on every
   * instance. Between calls, `sealed:presence` events tell who came and went.
   *
   * @throws SealedError (as a rejection) `NO_PRESENCE` for a room the client is not in or that does not track presence; the failures of `request`.
   */
  async members(room: string, options: RequestOptions = {}): Promise<PresenceMember[]> {
    const result = (await this.#protocolRequest(ClientEvent.MEMBERS, { room }, options)) as { members?: unknown } | undefined;
    return Array.isArray(result?.members) ? (result.members as PresenceMember[]) : [];
  }

  /**
   * Sends `data` to the other members of an end-to-end room (`endToEndRoomFn`
   * on the server), encrypted for them with MLS: the server relays it and
   * cannot read it. They receive it as `event`, and as `sealed:room-message`
   * with the member that sent it. Resolves once the server relayed it.
   *
   * @throws SealedClientError (as a rejection) `E2E_NOT_MEMBER` before this device is in the room's group
   * (a member adds it soon after it joins: wait for `sealed:room-members` with `member: true`); `NOT_OPEN`;
   * a `SealedError` with the server's refusal.
   */
  sendToRoom<K extends EventName<Outgoing>>(room: string, event: K, ...[data]: PayloadArgument<PayloadOf<Outgoing[K]>>): Promise<void>;
  sendToRoom(room: string, event: string, data?: unknown): Promise<void> {
    if (!this.#endToEnd) return Promise.reject(new SealedClientError(ClientFailureCode.E2E_NOT_MEMBER, 'End-to-end rooms are left to the application (endToEnd.enabled is false)'));
    return this.#endToEnd.send(room, event, data);
  }

  /** The devices in an end-to-end room's group as this device knows them, with their fingerprints; empty until it is in. */
  roomDevices(room: string): RoomDeviceInfo[] {
    return (this.#endToEnd?.members(room) ?? []).map((member) => withFingerprint(this.#crypto, member));
  }

  /** A request of the protocol's own on the open connection. */
  async #protocolRequest(event: string, data: unknown, options: RequestOptions = {}): Promise<unknown> {
    if (this.state !== SealedClientState.OPEN || !this.#cycle.current) throw new SealedClientError(ClientFailureCode.NOT_OPEN, 'The connection is not open');
    const { ack, reply } = this.#requests.open(options.timeoutMs);
    if (this.#requests.isWaiting(ack)) this.#sendRequest(event, data, ack).catch(() => undefined);
    return reply;
  }

  #sendRequest(event: string, data: unknown, ack: number): Promise<void> {
    return this.#requests.sent(ack, this.#send(event, data, ack));
  }

  #shouldQueue(): boolean {
    if (this.#offline.capacity === 0) return false;
    if (this.#holdingEmits) return true;
    const state = this.state;
    return state !== SealedClientState.OPEN && state !== SealedClientState.CLOSED && state !== SealedClientState.IDLE;
  }

  /**
   * Asks to join rooms; resolves with the server's answer. For rooms that
   * keep history and were seen before, it names the last position seen, so
   * the server replays what was missed (delivered before this resolves).
   * While emits are queued (the client connects, or rejoins and sends what
   * was queued), it waits in its place among them.
   */
  join(rooms: string[]): Promise<JoinResult> {
    return this.#inTurn(() => this.#rooms.join(rooms));
  }

  /** Asks to leave rooms; resolves with the server's answer. Queued in its place like `join`. */
  leave(rooms: string[]): Promise<LeaveResult> {
    return this.#inTurn(() => this.#rooms.leave(rooms));
  }

  /** Makes a join or leave now, or, while emits are queued, in its place behind them. */
  #inTurn<T>(call: () => Promise<T>): Promise<T> {
    return this.#shouldQueue() ? this.#offline.pushCall(call) : call();
  }

  /** Closes for good: no reconnect; the next `connect()` runs the full handshake. */
  close(): void {
    this.#holdingEmits = false;
    this.#offline.clientClosed();
    this.#requests.closeAll(new SealedClientError(ClientFailureCode.CLOSED, 'Client closed before the reply came'));
    this.#endToEnd?.close();
    this.#cycle.close();
  }

  #ensureIdentity(): RawKeyPair {
    this.#identity ??= this.#crypto.ed25519KeyPair();
    return this.#identity;
  }

  #settings(): ClientConnectionSettings {
    return connectionSettings(this.#options, {
      crypto: this.#crypto,
      level: this.#level,
      identity: () => this.#ensureIdentity(),
      pins: this.#pins,
      now: this.#now,
      takeTicket: () => this.#tickets.take(),
      upgradeFrames: this.#upgradeFrames,
    });
  }

  #onOpen(info: ConnectionInfo): void {
    this.#earlyAllowed = true;
    this.#offline.opened();
    this.#endToEnd?.connectionOpened();
    const rejoin = this.#rooms.current;
    this.#holdingEmits = this.#offline.size > 0 || rejoin.length > 0;
    this.#emitter.emit(ClientLifecycleEvent.OPEN, info);
    if (rejoin.length === 0) return this.#releaseEmits();
    void this.#rooms.join(rejoin).then(
      (result) => {
        this.#emitter.emit(ClientLifecycleEvent.REJOINED, rejoinResult(result));
        this.#releaseEmits();
      },
      // The connection went again: the queue waits for the next one.
      () => undefined,
    );
  }

  /** Sends queued emits right behind the credentials (`maxEarlyEmits`, `maxEarlyBytes`), handled once the server opens the connection; not when rooms are rejoined first. */
  #sendEarly(): void {
    const connection = this.#cycle.current;
    if (!connection || !this.#earlyAllowed || this.#rooms.current.length > 0) return;
    this.#offline.sendEarly((event, data) => connection.sendEarly(event, data));
  }

  /** Sends what was emitted while the connection was away, in order, and lets emits through again. */
  #releaseEmits(): void {
    this.#holdingEmits = false;
    this.#offline.drain((event, data, ack) => {
      if (ack === undefined) return this.#send(event, data);
      // A request that timed out while queued is not sent.
      return this.#requests.isWaiting(ack) ? this.#sendRequest(event, data, ack) : Promise.resolve();
    });
  }

  #dispatch(message: ProtocolMessage): void {
    switch (message.event) {
      case ServerEvent.JOINED:
        this.#endToEnd?.joined(message.data);
        return this.#rooms.joined(message.data);
      case ServerEvent.LEFT:
        this.#endToEnd?.left(message.data);
        return this.#rooms.left(message.data);
      case ServerEvent.REPLY:
        return this.#requests.settle(message);
      default:
        if (message.ack !== undefined) return this.#answerRequest(message, message.ack);
        if (this.#endToEnd?.accept(message.event, message.data)) return;
        this.#rooms.accept(message);
    }
  }

  /** Answers a request of the server on the connection it came by. */
  #answerRequest(message: ProtocolMessage, ack: number): void {
    const connection = this.#cycle.current;
    void this.#requests.answer(message, (payload) =>
      connection && connection === this.#cycle.current ? connection.send(ClientEvent.REPLY, payload, ack) : Promise.resolve(),
    );
  }

  #send(event: string, data: unknown, ack?: number): Promise<void> {
    const connection = this.#cycle.current;
    if (this.state !== SealedClientState.OPEN || !connection) {
      return Promise.reject(new SealedClientError(ClientFailureCode.NOT_OPEN, 'The connection is not open'));
    }
    return connection.send(event, data, ack);
  }
}
