import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CLIENT_ID_SEPARATOR } from '../bus/bus-channels.ts';
import { componentLogger, createDefaultLogger, type Logger } from '../logging/logger.ts';
import { ThrottledLog, errorKind } from '../logging/throttled-log.ts';
import { CloseCode } from '../protocol/close-codes.ts';
import { ServerEvent } from '../protocol/event-names.ts';
import { SealedError } from '../protocol/sealed-error.ts';
import { AuthenticationFlow } from './lifecycle/authentication-flow.ts';
import { ClientRegistry } from './registry/client-registry.ts';
import { ConnectionController } from './lifecycle/connection-controller.ts';
import { ConnectionState } from './registry/connection-state.ts';
import { TurnWriter } from './delivery/turn-writer.ts';
import { EventDispatcher } from './lifecycle/event-dispatcher.ts';
import { HeartbeatMonitor } from './lifecycle/heartbeat-monitor.ts';
import { TicketRenewal } from './lifecycle/ticket-renewal.ts';
import { IntervalSweep } from '../utils/interval-sweep.ts';
import { MessageDelivery, type DeliveryReport } from './delivery/message-delivery.ts';
import { OutboundBudget } from './delivery/outbound-budget.ts';
import { OutboundRouter } from './delivery/outbound-router.ts';
import { TransformedDelivery } from './delivery/transformed-delivery.ts';
import { ConcurrencyLimiter } from '../utils/concurrency-limiter.ts';
import { TargetedDelivery, type TargetedMessage } from './cluster/targeted-delivery.ts';
import { ServerTimings, type ServerTimingObserver } from './server-timings.ts';
import type { DeliveryTarget } from './delivery/delivery-target.ts';
import { RoomRegistry } from './registry/room-registry.ts';
import { RESERVED_ROOM_PREFIX, checkRoomName } from './registry/room-name-rules.ts';
import { RoomRequests, memberOf } from './lifecycle/room-requests.ts';
import { RoomPresence } from './presence/room-presence.ts';
import { InMemoryPresenceStore } from './presence/in-memory-presence-store.ts';
import type { PresenceMember } from './presence/presence-store.ts';
import { InMemoryHistoryStore } from './history/in-memory-history-store.ts';
import { RoomHistory } from './history/room-history.ts';
import { refuseReservedEventName } from '../protocol/event-names.ts';
import { UsageErrorCode } from '../protocol/usage-error-codes.ts';
import { ClientRequests } from './delivery/client-requests.ts';
import type { EventMap, EventName, PayloadOf, ResultOf } from '../protocol/event-map.ts';
import type { ClientAnswers } from './lifecycle/client-answers.ts';
import { ServerMetrics, type ServerMetricsSnapshot } from './server-metrics.ts';
import { RequestHeaderDeadline } from './lifecycle/request-header-deadline.ts';
import { UpgradeGate } from './lifecycle/upgrade-gate.ts';
import { clientSnapshot, type WebSocketClient, type WebSocketClientInfo } from './registry/websocket-client.ts';
import type { ClientSession } from './encryption-hooks.ts';
import {
  InvalidOptionsError,
  WebSocketDefaults,
  resolveServerOptions,
  type ResolvedServerOptions,
  type WebSocketServerOptions,
} from './websocket-server-options.ts';

/** An outbound application message: with an event map, `data` is of the type the map gives `event`. */
export interface OutboundMessage<Events extends EventMap = EventMap, K extends EventName<Events> = EventName<Events>> {
  event: K;
  data?: PayloadOf<Events[K]>;
}

/** Bytes of randomness in a generated instance id. */
const INSTANCE_ID_BYTES = 6;

/**
 * A WebSocket server on `ws`, attached to a Node HTTP server: authenticated
 * clients, rooms, broadcast and per-client delivery. A thin facade over the
 * parts in this folder, which import downward only:
 *
 * ```
 * websocket-server-helper.ts   facade and composition
 * cluster/                     sends to a target across instances (relay over the bus)
 * lifecycle/                   one connection's life: upgrade gate, frames in, authentication, rooms, heartbeat
 * delivery/                    frames out: routing, transformers, the per-turn socket writer
 * registry/                    what the server knows: clients, rooms, connection states
 * (this folder's other files)  options and settings, hooks, metrics: shared by all of the above
 * ```
 *
 * @example
 * const helper = new WebSocketServerHelper({
 *   server: httpServer,
 *   authenticateFn: ({ data }) => verifyToken(data) ?? null,
 *   validateRoomFn: ({ rooms }) => rooms.filter((room) => room.startsWith('public-')),
 *   messageHandler: ({ userId, event, data }) => console.log(userId, event, data),
 * });
 * await helper.sendToRoom({ room: 'public-lobby', event: 'news', data: { text: 'hello' } });
 * await helper.shutdown();
 */
export class WebSocketServerHelper<ClientEvents extends EventMap = EventMap, ServerEvents extends EventMap = EventMap> {
  readonly identifier: string;
  /** This instance's id on the bus; every client id it issues starts with it. */
  readonly instanceId: string;
  readonly #options: ResolvedServerOptions;
  readonly #logger: Logger;
  readonly #throttledLog: ThrottledLog;
  readonly #wss: WebSocketServer;
  readonly #clients = new ClientRegistry();
  readonly #rooms = new RoomRegistry();
  readonly #metrics = new ServerMetrics();
  readonly #delivery: MessageDelivery;
  readonly #router: OutboundRouter;
  readonly #limiter: ConcurrencyLimiter;
  readonly #targeted: TargetedDelivery;
  readonly #controller: ConnectionController;
  readonly #roomRequests: RoomRequests;
  readonly #heartbeat: HeartbeatMonitor;
  readonly #tickets: TicketRenewal;
  /** The server's periodic passes over its clients: heartbeats, then ticket renewal. */
  readonly #sweeps: IntervalSweep[];
  readonly #gate: UpgradeGate;
  readonly #headerDeadline: RequestHeaderDeadline;
  readonly #history: RoomHistory;
  readonly #requests: ClientRequests;
  readonly #timings = new ServerTimings();
  readonly #presence: RoomPresence;
  #shutdown: Promise<void> | undefined;

  /**
   * Validates the options and starts accepting upgrades on `options.path`.
   *
   * @throws InvalidOptionsError when a required option is missing or a limit is not a positive integer.
   */
  constructor(options: WebSocketServerOptions<ClientEvents>) {
    const identifier = options.identifier ?? WebSocketDefaults.IDENTIFIER;
    this.#logger = componentLogger(options.logger ?? createDefaultLogger(), 'WebSocketServerHelper', { identifier });
    this.#options = resolveServerOptions(options as WebSocketServerOptions, this.#logger);
    this.identifier = this.#options.identifier;
    this.instanceId = this.#options.instanceId ?? randomBytes(INSTANCE_ID_BYTES).toString('hex');
    this.#throttledLog = new ThrottledLog({ logger: this.#logger, intervalMs: this.#options.repeatedLogIntervalMs });

    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.#options.maxPayloadBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.#delivery = new MessageDelivery({
      maxBufferedBytes: this.#options.maxBufferedBytes,
      slowConsumerPolicy: this.#options.slowConsumerPolicy,
      metrics: this.#metrics,
      writer: new TurnWriter({
        maxTurnBytes: this.#options.maxTurnBytes,
        coalescing: this.#options.writeCoalescing,
        onBuildFailure: (_socket, error) => {
          // Counted as delivered when it was queued; it never reached the socket.
          this.#metrics.messagesDelivered -= 1;
          this.#metrics.encryptedDrops += 1;
          this.#throttledLog.note('in-place frame failed to build; dropped', errorKind(error), { err: error });
        },
      }),
      budget: new OutboundBudget({
        maxTotalBufferedBytes: this.#options.maxTotalBufferedBytes,
        clients: () => this.#clients.all(),
        cutOff: (client) => this.#controller.cutOff(client, 'Outbound budget exceeded'),
        metrics: this.#metrics,
      }),
      closeClient: (client, code, reason) => this.#controller.close(client, code, reason),
    });

    this.#limiter = new ConcurrencyLimiter(this.#options.encryptedBatchLimit);
    this.#router = new OutboundRouter(
      this.#delivery,
      new TransformedDelivery({
        transformer: this.#options.outboundTransformer,
        limiter: this.#limiter,
        delivery: this.#delivery,
        metrics: this.#metrics,
        logger: this.#logger,
        throttledLog: this.#throttledLog,
      }),
    );
    const resolved = this.#options;
    this.#history = new RoomHistory({
      store: resolved.historyStore ?? new InMemoryHistoryStore(),
      roomHistoryFn: resolved.roomHistoryFn,
      limits: { maxMessages: resolved.historyMaxMessages, maxAgeMs: resolved.historyMaxAgeMs },
      now: Date.now,
      onFailure: (operation, error) => {
        this.#metrics.historyFailures += 1;
        this.#throttledLog.note('history store failed', operation, { err: error instanceof Error ? error.message : error });
      },
      onStreamRead: (room, top) => this.#targeted.streamRead(room, top),
    });
    this.#requests = new ClientRequests({ router: this.#router, metrics: this.#metrics, defaultTimeoutMs: resolved.requestTimeoutMs });
    const answers: ClientAnswers = {
      control: (client, event, data) => this.#router.control(client, event, data),
      replay: (client, message) => void this.#router.toClients([client], message),
      reply: (client, ack, reply) => this.#router.control(client, ServerEvent.REPLY, reply, ack),
      error: (client, code, message) => this.#router.control(client, ServerEvent.ERROR, { code, message }),
      close: (client, code, reason) => this.#controller.close(client, code, reason),
    };
    const shared = { metrics: this.#metrics, logger: this.#logger, throttledLog: this.#throttledLog };
    this.#presence = new RoomPresence({
      store: resolved.presenceStore ?? new InMemoryPresenceStore(),
      roomPresenceFn: resolved.roomPresenceFn,
      instanceId: this.instanceId,
      ttlMs: resolved.presenceTtlMs,
      announce: (change, exclude) => this.#targeted.announce({ kind: 'room', room: change.room }, { event: ServerEvent.PRESENCE, data: change, exclude }),
      onFailure: (operation, error) => {
        this.#metrics.presenceFailures += 1;
        this.#throttledLog.note('presence store failed', operation, { err: error instanceof Error ? error.message : error });
      },
    });
    this.#roomRequests = new RoomRequests({
      ...shared,
      rooms: this.#rooms,
      rules: { maxLength: resolved.maxRoomNameLength, pattern: resolved.roomNamePattern, reservedPrefix: RESERVED_ROOM_PREFIX },
      maxRoomsPerClient: resolved.maxRoomsPerClient,
      validateRoomFn: resolved.validateRoomFn,
      history: this.#history,
      presence: this.#presence,
      answers,
    });
    this.#tickets = new TicketRenewal({
      ...shared,
      clients: this.#clients,
      answers,
      now: Date.now,
    });
    const authentication = new AuthenticationFlow({
      ...shared,
      timings: this.#timings,
      tickets: this.#tickets,
      authenticateFn: resolved.authenticateFn,
      handshakeFn: resolved.handshakeFn,
      requireEncryption: resolved.requireEncryption,
      defaultRooms: resolved.defaultRooms,
      clientConnectedFn: resolved.clientConnectedFn,
      clients: this.#clients,
      rooms: this.#rooms,
      answers,
      now: Date.now,
    });
    const dispatcher = new EventDispatcher({
      ...shared,
      authentication,
      roomRequests: this.#roomRequests,
      presence: this.#presence,
      messageHandler: resolved.messageHandler,
      answers,
    });
    this.#controller = new ConnectionController({
      ...shared,
      frameLimits: { maxEventNameLength: resolved.maxEventNameLength, maxDepth: resolved.maxJsonDepth },
      rateLimit: resolved.rateLimit,
      byteRate: { bytesPerSecond: resolved.inboundBytesPerSecond, burstBytes: resolved.inboundBurstBytes },
      maxInboundQueue: resolved.maxInboundQueue,
      maxPendingRequests: resolved.maxPendingRequestsPerClient,
      authTimeoutMs: resolved.authTimeout,
      maxPayloadBytesBeforeAuth: resolved.maxPayloadBytesBeforeAuth,
      maxBytesBeforeAuth: resolved.maxBytesBeforeAuth,
      preAuthCloseGraceMs: resolved.preAuthCloseGraceMs,
      inboundTransformer: resolved.inboundTransformer,
      clientDisconnectedFn: resolved.clientDisconnectedFn,
      leavingRooms: (client, rooms) => void this.#presence.left(memberOf(client), rooms),
      clients: this.#clients,
      rooms: this.#rooms,
      dispatcher,
      flush: (client) => this.#delivery.flush(client),
      sendError: answers.error,
      now: Date.now,
      newClientId: () => `${this.instanceId}${CLIENT_ID_SEPARATOR}${randomUUID()}`,
    });
    this.#heartbeat = new HeartbeatMonitor({
      clients: this.#clients,
      timeoutMs: this.#options.heartbeatTimeout,
      now: Date.now,
      onTimeout: (client) => {
        this.#metrics.heartbeatTimeouts += 1;
        this.#controller.close(client, CloseCode.HEARTBEAT_TIMEOUT, 'Heartbeat timeout');
      },
    });
    this.#sweeps = [
      new IntervalSweep(this.#options.heartbeatInterval, () => this.#heartbeat.sweep()),
      new IntervalSweep(this.#options.heartbeatInterval, () => this.#tickets.sweep()),
    ];
    this.#targeted = new TargetedDelivery({
      ...shared,
      instanceId: this.instanceId,
      clients: this.#clients,
      rooms: this.#rooms,
      router: this.#router,
      bus: resolved.bus,
      busSecret: resolved.busSecret,
      busChannelPrefix: resolved.busChannelPrefix,
      maxBusEnvelopeBytes: resolved.maxBusEnvelopeBytes,
      maxBusEnvelopeAgeMs: resolved.maxBusEnvelopeAgeMs,
      busDuplicateCacheSize: resolved.busDuplicateCacheSize,
      historyReorderMs: resolved.historyReorderMs,
      historyMaxHeld: resolved.historyMaxMessages,
    });
    const server = this.#options.server;
    this.#gate = new UpgradeGate({
      path: this.#options.path,
      maxConnections: this.#options.maxConnections,
      allowedOrigins: this.#options.allowedOrigins,
      wss: this.#wss,
      limits: resolved,
      now: Date.now,
      liveConnections: () => this.#clients.size,
      hasOtherUpgradeListeners: () => server.listenerCount('upgrade') > 1,
      onConnection: (socket, remoteAddress, releaseSlot) => void this.#controller.accept(socket, remoteAddress, releaseSlot),
      ...shared,
    });
    this.#headerDeadline = new RequestHeaderDeadline({
      server,
      timeoutMs: resolved.requestHeadersTimeoutMs,
      maxPerAddress: resolved.maxIncompleteRequestsPerAddress,
      trustedProxies: new Set(resolved.trustedProxies),
      ...shared,
    });
    this.#headerDeadline.start();
    server.on('upgrade', this.#onUpgrade);
    for (const sweep of this.#sweeps) sweep.start();
    void this.#presence.start();
    this.#logger.info({ path: this.#options.path }, 'accepting WebSocket upgrades');
  }

  readonly #onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.#headerDeadline.headersArrived(request);
    this.#gate.onUpgrade(request, socket, head);
  };

  /** Snapshots of every connection of this instance (see {@link clientSnapshot}). */
  getClients(): WebSocketClientInfo[] {
    return Array.from(this.#clients.all(), clientSnapshot);
  }

  /** A snapshot of one connection, or `undefined`; it does not follow later changes. */
  getClient(params: { clientId: string }): WebSocketClientInfo | undefined {
    const client = this.#clients.get(params.clientId);
    return client && clientSnapshot(client);
  }

  /** The open connections of one user (a user may have several). */
  getClientsByUser(params: { userId: string }): WebSocketClientInfo[] {
    return Array.from(this.#clients.byUser(params.userId), clientSnapshot);
  }

  getClientsByRoom(params: { room: string }): WebSocketClientInfo[] {
    return Array.from(this.#rooms.members(params.room), clientSnapshot);
  }

  /** Rooms with at least one member on this server. */
  getRooms(): string[] {
    return [...this.#rooms.rooms()];
  }

  /**
   * Puts an open client into rooms on the server's authority (no
   * `validateRoomFn`, no per-client limit; the room-name rules still apply).
   *
   * @returns the rooms the client newly joined.
   * @throws SealedError `INVALID_ROOM_NAME` when a name breaks the rules.
   */
  joinRoom(params: { clientId: string; rooms: readonly string[] }): string[] {
    for (const room of params.rooms) {
      const problem = checkRoomName(room, this.#roomRequests.rules);
      if (problem) throw new SealedError(problem.code, `${problem.message}: ${JSON.stringify(room)}`);
    }
    const client = this.#openClient(params.clientId);
    if (!client) return [];
    return params.rooms.filter((room) => this.#rooms.join(client, room));
  }

  /** @returns the rooms the client left. */
  leaveRoom(params: { clientId: string; rooms: readonly string[] }): string[] {
    const client = this.#clients.get(params.clientId);
    if (!client) return [];
    return params.rooms.filter((room) => this.#rooms.leave(client, room));
  }

  /**
   * Sends to one open client. A client of another instance is reached over
   * the bus; the report then counts nothing here.
   */
  sendToClient<K extends EventName<ServerEvents>>(params: { clientId: string } & OutboundMessage<ServerEvents, K>): Promise<DeliveryReport> {
    return this.#send({ kind: 'client', clientId: params.clientId }, params);
  }

  /**
   * Sends a request to one open client of this instance and resolves with
   * what the client's request handler for the event returns (`onRequest` in
   * the SDK), encrypted like every other frame. Requests reach only clients
   * of this instance: with a bus, send them from the instance that holds
   * the client.
   *
   * @example
   * const location = await helper.request({ clientId, event: 'where-are-you', timeoutMs: 2_000 });
   *
   * @throws SealedError (as a rejection): `CLIENT_NOT_FOUND` (no open client with that id here), `REQUEST_TIMEOUT`
   * (no reply within `timeoutMs`, `requestTimeoutMs` by default), `TOO_MANY_PENDING_REQUESTS` (`maxPendingRequestsPerClient`),
   * `DISCONNECTED`, `NOT_DELIVERED`, `RESERVED_EVENT_NAME`, or the code and message the client's handler failed with.
   */
  request<K extends EventName<ServerEvents>>(
    params: { clientId: string; timeoutMs?: number } & OutboundMessage<ServerEvents, K>,
  ): Promise<ResultOf<ServerEvents[K]>> {
    const client = this.#openClient(params.clientId);
    if (!client) return Promise.reject(new SealedError(UsageErrorCode.CLIENT_NOT_FOUND, `No open client "${params.clientId}" on this instance`));
    return this.#requests.send(client, params) as Promise<ResultOf<ServerEvents[K]>>;
  }

  /** Sends to every open connection of one user, on every instance. The report counts this instance's. */
  sendToUser<K extends EventName<ServerEvents>>(
    params: { userId: string; exclude?: readonly string[] } & OutboundMessage<ServerEvents, K>,
  ): Promise<DeliveryReport> {
    return this.#send({ kind: 'user', userId: params.userId }, params);
  }

  /**
   * Sends to every member of a room on every instance, except the clients in
   * `exclude`. The report counts this instance's. In a room that keeps
   * history (`roomHistoryFn`) the message is appended first and carries its
   * position.
   */
  async sendToRoom<K extends EventName<ServerEvents>>(
    params: { room: string; exclude?: readonly string[] } & OutboundMessage<ServerEvents, K>,
  ): Promise<DeliveryReport> {
    const target = { kind: 'room', room: params.room } as const;
    if (!this.#history.keeps(params.room)) return this.#send(target, params);
    return this.#timings.timeSend(target.kind, async () => {
      // Refused before it is kept; appended in call order, since a synchronous store appends before the first await.
      refuseReservedEventName(params.event);
      const position = await this.#history.append(params.room, params.event, params.data);
      return this.#targeted.send(target, position ? { ...params, position } : params);
    });
  }

  /** Sends to every open client on every instance, except the clients in `exclude`. The report counts this instance's. */
  broadcast<K extends EventName<ServerEvents>>(params: { exclude?: readonly string[] } & OutboundMessage<ServerEvents, K>): Promise<DeliveryReport> {
    return this.#send({ kind: 'all' }, params);
  }

  /**
   * The members of a room that tracks presence (`roomPresenceFn`), on every
   * instance that shares the presence store: the same answer wherever it is
   * asked. An instance that stopped (crashed) takes its members with it
   * within `presenceTtlMs`.
   */
  getPresence(params: { room: string }): Promise<PresenceMember[]> {
    return Promise.resolve(this.#presence.members(params.room));
  }

  /**
   * Tells `observer` how long clients take to open and sends take to
   * finish, as they happen (what `PrometheusMetrics` draws its histograms
   * from). Nothing is timed while no one observes. Returns its removal.
   */
  observeTimings(observer: ServerTimingObserver): () => void {
    return this.#timings.observe(observer);
  }

  #send(target: DeliveryTarget, message: TargetedMessage): Promise<DeliveryReport> {
    return this.#timings.timeSend(target.kind, () => this.#targeted.send(target, message));
  }

  /**
   * Marks an open client as encrypted with `session`, the state the outbound
   * transformer seals with (with the default kit, a `SecureSession`): from
   * now on every message to it goes through the transformer, and nothing
   * reaches it in plaintext. The handshake does this itself when its outcome
   * says `encrypted`. A session the client had before is disposed of.
   *
   * @returns whether the client was found open.
   * @throws InvalidOptionsError without a session: the transformer would have nothing to seal with, and would drop every message.
   */
  enableClientEncryption(params: { clientId: string; session: ClientSession }): boolean {
    if (params.session === undefined || params.session === null) {
      throw new InvalidOptionsError('enableClientEncryption needs the session the outbound transformer seals with');
    }
    const client = this.#openClient(params.clientId);
    if (!client) return false;
    if (client.session !== params.session) client.disposeSession();
    client.session = params.session;
    client.encrypted = true;
    client.protectedFrames = true;
    return true;
  }

  /** Closes one client with a code of the close-code table (default 1000). */
  disconnect(params: { clientId: string; code?: CloseCode; reason?: string }): void {
    const client = this.#clients.get(params.clientId);
    if (client) this.#controller.close(client, params.code ?? CloseCode.NORMAL, params.reason ?? '');
  }

  /** A copy of the server's counters. */
  getMetrics(): ServerMetricsSnapshot & {
    connections: number;
    incompleteRequests: number;
    pendingUpgrades: number;
    rooms: number;
    transformsInFlight: number;
    transformsPeak: number;
  } {
    return {
      ...this.#metrics.snapshot(),
      connections: this.#clients.size,
      incompleteRequests: this.#headerDeadline.pending,
      pendingUpgrades: this.#gate.pendingUpgrades,
      rooms: this.#rooms.size,
      transformsInFlight: this.#limiter.active,
      transformsPeak: this.#limiter.peak,
    };
  }

  /**
   * Stops accepting upgrades, closes every client with 1001, waits up to
   * `shutdownGraceMs` for their closing handshakes (then cuts them off), and
   * releases every timer and listener. Idempotent: later calls return the
   * same promise.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#shutDown();
    return this.#shutdown;
  }

  async #shutDown(): Promise<void> {
    this.#gate.close();
    this.#options.server.off('upgrade', this.#onUpgrade);
    this.#headerDeadline.stop();
    for (const sweep of this.#sweeps) sweep.stop();
    for (const client of [...this.#clients.all()]) {
      this.#controller.close(client, CloseCode.GOING_AWAY, 'Server shutting down');
    }
    await this.#waitForClients();
    this.#presence.stop();
    await this.#targeted.stop();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    this.#throttledLog.stop();
    this.#logger.info('shut down');
  }

  #waitForClients(): Promise<void> {
    if (this.#clients.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const graceTimer = setTimeout(() => {
        for (const client of this.#clients.all()) client.socket.terminate();
      }, this.#options.shutdownGraceMs);
      const stopListening = this.#controller.onClientClosed(() => {
        if (this.#clients.size > 0) return;
        clearTimeout(graceTimer);
        stopListening();
        resolve();
      });
    });
  }

  #openClient(clientId: string): WebSocketClient | undefined {
    const client = this.#clients.get(clientId);
    return client?.state === ConnectionState.OPEN ? client : undefined;
  }
}
