import { randomUUID } from 'node:crypto';
import { WebSocketServer, type Server as TypedWebSocketServer } from 'ws';
import { CLIENT_ID_SEPARATOR } from '../bus/bus-channels.ts';
import type { Logger } from '../logging/logger.ts';
import { ThrottledLog, errorKind } from '../logging/throttled-log.ts';
import { CloseCode } from '../protocol/close-codes.ts';
import { ServerEvent } from '../protocol/event-names.ts';
import { ConcurrencyLimiter } from '../utils/concurrency-limiter.ts';
import { IntervalSweep } from '../utils/interval-sweep.ts';
import { TargetedDelivery } from './cluster/targeted-delivery.ts';
import { ClientRequests } from './delivery/client-requests.ts';
import { MessageDelivery } from './delivery/message-delivery.ts';
import { OutboundBudget } from './delivery/outbound-budget.ts';
import { OutboundRouter } from './delivery/outbound-router.ts';
import { TransformedDelivery } from './delivery/transformed-delivery.ts';
import { TurnWriter } from './delivery/turn-writer.ts';
import { answeredSubprotocol } from '../protocol/upgrade-frame.ts';
import { DeliveryService } from './e2e/delivery-service.ts';
import { InMemoryDeliveryServiceStore } from './e2e/in-memory-delivery-service-store.ts';
import { InMemoryHistoryStore } from './history/in-memory-history-store.ts';
import { RoomHistory } from './history/room-history.ts';
import { AuthenticationFlow } from './lifecycle/authentication-flow.ts';
import type { ClientAnswers } from './lifecycle/client-answers.ts';
import { ConnectionController } from './lifecycle/connection-controller.ts';
import { ClientSocket } from './lifecycle/client-socket.ts';
import { EventDispatcher } from './lifecycle/event-dispatcher.ts';
import { HeartbeatMonitor } from './lifecycle/heartbeat-monitor.ts';
import { RequestHeaderDeadline } from './lifecycle/request-header-deadline.ts';
import { RoomRequests, memberOf } from './lifecycle/room-requests.ts';
import { TicketRenewal } from './lifecycle/ticket-renewal.ts';
import { UpgradeGate } from './lifecycle/upgrade-gate.ts';
import { InMemoryPresenceStore } from './presence/in-memory-presence-store.ts';
import { RoomPresence } from './presence/room-presence.ts';
import { ClientRegistry } from './registry/client-registry.ts';
import { RoomRegistry } from './registry/room-registry.ts';
import { RESERVED_ROOM_PREFIX } from './registry/room-name-rules.ts';
import { ServerMetrics } from './server-metrics.ts';
import { ServerTimings } from './server-timings.ts';
import type { ResolvedServerOptions } from './websocket-server-options.ts';

/** The parts of one server, wired to each other: what the facade calls into. */
export interface ServerParts {
  readonly wss: TypedWebSocketServer<typeof ClientSocket>;
  readonly throttledLog: ThrottledLog;
  readonly clients: ClientRegistry;
  readonly rooms: RoomRegistry;
  readonly metrics: ServerMetrics;
  readonly timings: ServerTimings;
  readonly delivery: MessageDelivery;
  readonly router: OutboundRouter;
  readonly limiter: ConcurrencyLimiter;
  readonly targeted: TargetedDelivery;
  readonly controller: ConnectionController;
  readonly roomRequests: RoomRequests;
  readonly history: RoomHistory;
  readonly presence: RoomPresence;
  readonly deliveryService: DeliveryService;
  readonly requests: ClientRequests;
  readonly transformed: TransformedDelivery;
  readonly gate: UpgradeGate;
  readonly headerDeadline: RequestHeaderDeadline;
  /** The server's periodic passes over its clients: heartbeats, then ticket renewal. Not started yet. */
  readonly sweeps: readonly IntervalSweep[];
}

/** The server's monotonic clock in ms: for rates, signs of life and timeouts, which a wall-clock step must not move. */
const monotonicNow = (): number => performance.now();

/**
 * Builds every part of a server from its resolved options, bottom up:
 * registries, then frames out (writer, delivery, router), then what uses
 * them (history, presence, requests, rooms, authentication, the connection
 * controller), then the edges (bus delivery, upgrade gate, header deadline).
 * Nothing is started and no listener is attached: the facade does that.
 */
export function assembleServer(options: ResolvedServerOptions, instanceId: string, logger: Logger): ServerParts {
  const throttledLog = new ThrottledLog({ logger, intervalMs: options.repeatedLogIntervalMs });
  const clients = new ClientRegistry();
  const rooms = new RoomRegistry();
  const metrics = new ServerMetrics();
  const timings = new ServerTimings();
  const shared = { metrics, logger, throttledLog };
  // Parts that call each other back are reached through these once all exist.
  let controller: ConnectionController;
  let targeted: TargetedDelivery;

  const wss = new WebSocketServer({
    WebSocket: ClientSocket,
    noServer: true,
    maxPayload: options.maxPayloadBytes,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: answeredSubprotocol,
  });
  const delivery = new MessageDelivery({
    maxBufferedBytes: options.maxBufferedBytes,
    slowConsumerPolicy: options.slowConsumerPolicy,
    metrics,
    writer: new TurnWriter({
      maxTurnBytes: options.maxTurnBytes,
      coalescing: options.writeCoalescing,
      delayMs: options.writeDelayMs,
      onBuildFailure: (_socket, error) => {
        // Counted as delivered when it was queued; it never reached the socket.
        metrics.messagesDelivered -= 1;
        metrics.encryptedDrops += 1;
        throttledLog.note('in-place frame failed to build; dropped', errorKind(error), { err: error });
      },
    }),
    budget: new OutboundBudget({
      maxTotalBufferedBytes: options.maxTotalBufferedBytes,
      clients: () => clients.all(),
      cutOff: (client) => controller.cutOff(client, 'Outbound budget exceeded'),
      metrics,
    }),
    closeClient: (client, code, reason) => controller.close(client, code, reason),
  });
  const limiter = new ConcurrencyLimiter(options.encryptedBatchLimit);
  const transformed = new TransformedDelivery({ transformer: options.outboundTransformer, limiter, delivery, ...shared });
  const router = new OutboundRouter(delivery, transformed, options.maxTurnBytes);
  rooms.beforeMembersChange(() => router.settle());

  const history = new RoomHistory({
    store: options.historyStore ?? new InMemoryHistoryStore(),
    roomHistoryFn: options.roomHistoryFn,
    limits: { maxMessages: options.historyMaxMessages, maxAgeMs: options.historyMaxAgeMs },
    now: Date.now,
    onFailure: (operation, error) => {
      metrics.historyFailures += 1;
      throttledLog.note('history store failed', operation, { err: error instanceof Error ? error.message : error });
    },
    onStreamRead: (room, top) => targeted.streamRead(room, top),
  });
  const requests = new ClientRequests({ router, metrics, defaultTimeoutMs: options.requestTimeoutMs });
  const answers: ClientAnswers = {
    control: (client, event, data) => router.control(client, event, data),
    replay: (client, message) => void router.toClients([client], message),
    reply: (client, ack, reply) => router.control(client, ServerEvent.REPLY, reply, ack),
    error: (client, code, message) => router.control(client, ServerEvent.ERROR, { code, message }),
    close: (client, code, reason) => controller.close(client, code, reason),
  };
  const presence = new RoomPresence({
    store: options.presenceStore ?? new InMemoryPresenceStore(),
    roomPresenceFn: options.roomPresenceFn,
    instanceId,
    ttlMs: options.presenceTtlMs,
    announce: (change, exclude) => targeted.announce({ kind: 'room', room: change.room }, { event: ServerEvent.PRESENCE, data: change, exclude }),
    onFailure: (operation, error) => {
      metrics.presenceFailures += 1;
      throttledLog.note('presence store failed', operation, { err: error instanceof Error ? error.message : error });
    },
  });
  const deliveryService = new DeliveryService({
    store: options.deliveryServiceStore ?? new InMemoryDeliveryServiceStore(),
    endToEndRoomFn: options.endToEndRoomFn,
    limits: {
      maxKeyPackagesPerDevice: options.maxKeyPackagesPerDevice,
      maxGroupLogEntries: options.maxGroupLogEntries,
      maxMlsMessageBytes: options.maxMlsMessageBytes,
      maxEventNameLength: options.maxEventNameLength,
    },
    announce: (target, message) => targeted.announce(target, message),
    onFailure: (operation, error) => {
      metrics.deliveryServiceFailures += 1;
      throttledLog.note('delivery service failed', operation, { err: error instanceof Error ? error.message : error });
    },
  });
  const roomRequests = new RoomRequests({
    ...shared,
    rooms,
    rules: { maxLength: options.maxRoomNameLength, pattern: options.roomNamePattern, reservedPrefix: RESERVED_ROOM_PREFIX },
    maxRoomsPerClient: options.maxRoomsPerClient,
    validateRoomFn: options.validateRoomFn,
    history,
    presence,
    deliveryService,
    answers,
  });
  const tickets = new TicketRenewal({ ...shared, clients, answers, now: Date.now });
  const authentication = new AuthenticationFlow({
    ...shared,
    timings,
    tickets,
    authenticateFn: options.authenticateFn,
    handshakeFn: options.handshakeFn,
    requireEncryption: options.requireEncryption,
    defaultRooms: options.defaultRooms,
    clientConnectedFn: options.clientConnectedFn,
    clients,
    rooms,
    answers,
    now: Date.now,
  });
  const dispatcher = new EventDispatcher({ ...shared, authentication, roomRequests, presence, deliveryService, messageHandler: options.messageHandler, answers });
  controller = new ConnectionController({
    ...shared,
    frameLimits: { maxEventNameLength: options.maxEventNameLength, maxDepth: options.maxJsonDepth },
    rateLimit: options.rateLimit,
    byteRate: { bytesPerSecond: options.inboundBytesPerSecond, burstBytes: options.inboundBurstBytes },
    maxInboundQueue: options.maxInboundQueue,
    maxPendingRequests: options.maxPendingRequestsPerClient,
    authTimeoutMs: options.authTimeout,
    maxPayloadBytesBeforeAuth: options.maxPayloadBytesBeforeAuth,
    maxBytesBeforeAuth: options.maxBytesBeforeAuth,
    preAuthCloseGraceMs: options.preAuthCloseGraceMs,
    inboundTransformer: options.inboundTransformer,
    clientDisconnectedFn: options.clientDisconnectedFn,
    leavingRooms: (client, left) => void presence.left(memberOf(client), left),
    clients,
    rooms,
    dispatcher,
    settle: () => router.settle(),
    flush: (client) => delivery.flush(client),
    sendError: answers.error,
    now: Date.now,
    monotonicNow,
    newClientId: () => `${instanceId}${CLIENT_ID_SEPARATOR}${randomUUID()}`,
  });
  const heartbeat = new HeartbeatMonitor({
    clients,
    timeoutMs: options.heartbeatTimeout,
    now: monotonicNow,
    onTimeout: (client) => {
      metrics.heartbeatTimeouts += 1;
      controller.close(client, CloseCode.HEARTBEAT_TIMEOUT, 'Heartbeat timeout');
    },
  });
  targeted = new TargetedDelivery({
    ...shared,
    instanceId,
    clients,
    rooms,
    router,
    bus: options.bus,
    busSecret: options.busSecret,
    busChannelPrefix: options.busChannelPrefix,
    maxBusEnvelopeBytes: options.maxBusEnvelopeBytes,
    maxBusEnvelopeAgeMs: options.maxBusEnvelopeAgeMs,
    busDuplicateCacheSize: options.busDuplicateCacheSize,
    historyReorderMs: options.historyReorderMs,
    historyMaxHeld: options.historyMaxMessages,
  });
  const server = options.server;
  const gate = new UpgradeGate({
    ...shared,
    path: options.path,
    maxConnections: options.maxConnections,
    allowedOrigins: options.allowedOrigins,
    wss,
    limits: options,
    monotonicNow,
    liveConnections: () => clients.size,
    hasOtherUpgradeListeners: () => server.listenerCount('upgrade') > 1,
    maxFirstFrameBytes: options.maxPayloadBytesBeforeAuth,
    onConnection: (socket, remoteAddress, releaseSlot, firstFrame) => void controller.accept(socket, remoteAddress, releaseSlot, firstFrame),
  });
  const headerDeadline = new RequestHeaderDeadline({
    ...shared,
    server,
    timeoutMs: options.requestHeadersTimeoutMs,
    maxPerAddress: options.maxIncompleteRequestsPerAddress,
    trustedProxies: new Set(options.trustedProxies),
  });
  const sweeps = [
    new IntervalSweep(options.heartbeatInterval, () => heartbeat.sweep()),
    new IntervalSweep(options.heartbeatInterval, () => tickets.sweep()),
  ];
  return {
    wss,
    throttledLog,
    clients,
    rooms,
    metrics,
    timings,
    delivery,
    router,
    limiter,
    targeted,
    controller,
    roomRequests,
    history,
    presence,
    deliveryService,
    requests,
    transformed,
    gate,
    headerDeadline,
    sweeps,
  };
}
