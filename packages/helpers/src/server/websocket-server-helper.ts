import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { componentLogger, createDefaultLogger, type Logger } from '../logging/logger.ts';
import { CloseCode } from '../protocol/close-codes.ts';
import { SealedError } from '../protocol/sealed-error.ts';
import { ConnectionState } from './registry/connection-state.ts';
import type { DeliveryReport } from './delivery/message-delivery.ts';
import type { TargetedMessage } from './cluster/targeted-delivery.ts';
import type { ServerTimingObserver } from './server-timings.ts';
import type { DeliveryTarget } from './delivery/delivery-target.ts';
import { checkRoomName } from './registry/room-name-rules.ts';
import type { PresenceMember } from './presence/presence-store.ts';
import { refuseReservedEventName } from '../protocol/event-names.ts';
import { UsageErrorCode } from '../protocol/usage-error-codes.ts';
import type { EventMap, EventName, PayloadOf, ResultOf } from '../protocol/event-map.ts';
import type { ServerMetricsSnapshot } from './server-metrics.ts';
import { clientSnapshot, type WebSocketClient, type WebSocketClientInfo } from './registry/websocket-client.ts';
import type { ClientSession } from './encryption-hooks.ts';
import { InvalidOptionsError, WebSocketDefaults, resolveServerOptions, type ResolvedServerOptions, type WebSocketServerOptions } from './websocket-server-options.ts';
import { assembleServer, type ServerParts } from './server-assembly.ts';

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
 * websocket-server-helper.ts   facade
 * server-assembly.ts           composition: builds and wires the parts below
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
  readonly #parts: ServerParts;
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
    this.#parts = assembleServer(this.#options, this.instanceId, this.#logger);
    const { headerDeadline, sweeps, presence } = this.#parts;
    headerDeadline.start();
    this.#options.server.on('upgrade', this.#onUpgrade);
    for (const sweep of sweeps) sweep.start();
    void presence.start();
    this.#logger.info({ path: this.#options.path }, 'accepting WebSocket upgrades');
  }

  readonly #onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.#parts.headerDeadline.headersArrived(request);
    this.#parts.gate.onUpgrade(request, socket, head);
  };

  /** Snapshots of every connection of this instance (see {@link clientSnapshot}). */
  getClients(): WebSocketClientInfo[] {
    return Array.from(this.#parts.clients.all(), clientSnapshot);
  }

  /** A snapshot of one connection, or `undefined`; it does not follow later changes. */
  getClient(params: { clientId: string }): WebSocketClientInfo | undefined {
    const client = this.#parts.clients.get(params.clientId);
    return client && clientSnapshot(client);
  }

  /** The open connections of one user (a user may have several). */
  getClientsByUser(params: { userId: string }): WebSocketClientInfo[] {
    return Array.from(this.#parts.clients.byUser(params.userId), clientSnapshot);
  }

  getClientsByRoom(params: { room: string }): WebSocketClientInfo[] {
    return Array.from(this.#parts.rooms.members(params.room), clientSnapshot);
  }

  /** Rooms with at least one member on this server. */
  getRooms(): string[] {
    return [...this.#parts.rooms.rooms()];
  }

  /**
   * Puts an open client into rooms on the server's authority (no
   * `validateRoomFn`, no per-client limit; the room-name rules still apply).
   * An end-to-end room takes only a client with a device key; its device
   * then waits to be added to the room's group.
   *
   * @returns the rooms the client newly joined.
   * @throws SealedError `INVALID_ROOM_NAME` when a name breaks the rules.
   */
  joinRoom(params: { clientId: string; rooms: readonly string[] }): string[] {
    for (const room of params.rooms) {
      const problem = checkRoomName(room, this.#parts.roomRequests.rules);
      if (problem) throw new SealedError(problem.code, `${problem.message}: ${JSON.stringify(room)}`);
    }
    const client = this.#openClient(params.clientId);
    if (!client) return [];
    const { deliveryService } = this.#parts;
    const joined = params.rooms.filter((room) => deliveryService.mayJoin(client, room) && this.#parts.rooms.join(client, room));
    void deliveryService.joined(client, joined);
    return joined;
  }

  /**
   * Takes a client out of rooms on the server's authority. Out of an
   * end-to-end room, its device is no longer admitted: the room's members
   * are told to remove it from the group (`sealed:mls:waiting`), and the
   * server stops relaying the room to it at once.
   *
   * @returns the rooms the client left.
   */
  leaveRoom(params: { clientId: string; rooms: readonly string[] }): string[] {
    const client = this.#parts.clients.get(params.clientId);
    if (!client) return [];
    const left = params.rooms.filter((room) => this.#parts.rooms.leave(client, room));
    // Out of an end-to-end room: its members are told to remove the device from the group.
    void this.#parts.deliveryService.left(client, left);
    return left;
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
   * `DISCONNECTED`, `NOT_DELIVERED`, `RESERVED_EVENT_NAME`, `SEND_FROM_TRANSFORMER`, or the code and message the client's handler failed with.
   */
  request<K extends EventName<ServerEvents>>(
    params: { clientId: string; timeoutMs?: number } & OutboundMessage<ServerEvents, K>,
  ): Promise<ResultOf<ServerEvents[K]>> {
    const refused = this.#refusedInTransformer();
    if (refused) return refused;
    const client = this.#openClient(params.clientId);
    if (!client) return Promise.reject(new SealedError(UsageErrorCode.CLIENT_NOT_FOUND, `No open client "${params.clientId}" on this instance`));
    return this.#parts.requests.send(client, params) as Promise<ResultOf<ServerEvents[K]>>;
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
  sendToRoom<K extends EventName<ServerEvents>>(
    params: { room: string; exclude?: readonly string[] } & OutboundMessage<ServerEvents, K>,
  ): Promise<DeliveryReport> {
    const target = { kind: 'room', room: params.room } as const;
    if (!this.#parts.history.keeps(params.room)) return this.#send(target, params);
    const refused = this.#refusedInTransformer();
    if (refused) return refused;
    return this.#parts.timings.timeSend(target.kind, async () => {
      // Refused before it is kept; appended in call order, since a synchronous store appends before the first await.
      refuseReservedEventName(params.event);
      const position = await this.#parts.history.append(params.room, params.event, params.data);
      return this.#parts.targeted.send(target, position ? { ...params, position } : params);
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
    return Promise.resolve(this.#parts.presence.members(params.room));
  }

  /**
   * Tells `observer` how long clients take to open and sends take to
   * finish, as they happen (what `PrometheusMetrics` draws its histograms
   * from). Nothing is timed while no one observes. Returns its removal.
   */
  observeTimings(observer: ServerTimingObserver): () => void {
    return this.#parts.timings.observe(observer);
  }

  #send(target: DeliveryTarget, message: TargetedMessage): Promise<DeliveryReport> {
    return this.#refusedInTransformer() ?? this.#parts.timings.timeSend(target.kind, () => this.#parts.targeted.send(target, message));
  }

  /**
   * A send made while the outbound transformer runs synchronously, in the
   * middle of another send: refused, since it would reach the clients that
   * send has not written yet before its own message does.
   */
  #refusedInTransformer(): Promise<never> | undefined {
    if (!this.#parts.transformed.transforming) return undefined;
    return Promise.reject(
      new SealedError(UsageErrorCode.SEND_FROM_TRANSFORMER, 'The outbound transformer cannot send while it runs; send once it has returned'),
    );
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
    // Room sends held for this turn were made before: they go out as the client took them then.
    this.#parts.router.settle();
    if (client.session !== params.session) client.disposeSession();
    client.session = params.session;
    client.encrypted = true;
    client.protectedFrames = true;
    return true;
  }

  /** Closes one client with a code of the close-code table (default 1000). */
  disconnect(params: { clientId: string; code?: CloseCode; reason?: string }): void {
    const client = this.#parts.clients.get(params.clientId);
    if (client) this.#parts.controller.close(client, params.code ?? CloseCode.NORMAL, params.reason ?? '');
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
      ...this.#parts.metrics.snapshot(),
      connections: this.#parts.clients.size,
      incompleteRequests: this.#parts.headerDeadline.pending,
      pendingUpgrades: this.#parts.gate.pendingUpgrades,
      rooms: this.#parts.rooms.size,
      transformsInFlight: this.#parts.limiter.active,
      transformsPeak: this.#parts.limiter.peak,
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
    this.#parts.gate.close();
    this.#options.server.off('upgrade', this.#onUpgrade);
    this.#parts.headerDeadline.stop();
    for (const sweep of this.#parts.sweeps) sweep.stop();
    for (const client of [...this.#parts.clients.all()]) {
      this.#parts.controller.close(client, CloseCode.GOING_AWAY, 'Server shutting down');
    }
    await this.#waitForClients();
    this.#parts.router.flushAll();
    this.#parts.presence.stop();
    await this.#parts.targeted.stop();
    await new Promise<void>((resolve) => this.#parts.wss.close(() => resolve()));
    this.#parts.throttledLog.stop();
    this.#logger.info('shut down');
  }

  #waitForClients(): Promise<void> {
    if (this.#parts.clients.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const graceTimer = setTimeout(() => {
        for (const client of this.#parts.clients.all()) client.socket.terminate();
      }, this.#options.shutdownGraceMs);
      const stopListening = this.#parts.controller.onClientClosed(() => {
        if (this.#parts.clients.size > 0) return;
        clearTimeout(graceTimer);
        stopListening();
        resolve();
      });
    });
  }

  #openClient(clientId: string): WebSocketClient | undefined {
    const client = this.#parts.clients.get(clientId);
    return client?.state === ConnectionState.OPEN ? client : undefined;
  }
}
