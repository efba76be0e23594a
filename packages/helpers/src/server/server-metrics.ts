/** Counters a server keeps; read them with `WebSocketServerHelper.getMetrics()`. */
export interface ServerMetricsSnapshot {
  /** Upgrades accepted. */
  connectionsAccepted: number;
  /** Upgrades refused before upgrading (caps, origin, shutdown). */
  connectionsRejected: number;
  /** Of those, refused for `maxUnauthenticatedConnections` (503) or `maxUnauthenticatedPerAddress` (429). */
  preAuthRejections: number;
  /** Sockets of clients that never opened, cut off after `preAuthCloseGraceMs` because they did not finish closing. */
  preAuthTerminations: number;
  /** Frames larger than `maxPayloadBytesBeforeAuth` before the client was open (closed with 1009). */
  preAuthOversize: number;
  /** Clients closed (4006) for sending more than `maxBytesBeforeAuth` before they were open. */
  preAuthByteCloses: number;
  /** Upgrades refused (429) because their remote address started them faster than `upgradesPerSecondPerAddress` / `upgradeBurstPerAddress`. */
  upgradeRateRejections: number;
  /** Connections destroyed because their first request's headers took longer than `requestHeadersTimeoutMs`. */
  headerTimeouts: number;
  /** Connections destroyed on arrival because their address already held `maxIncompleteRequestsPerAddress` incomplete requests. */
  headerRejections: number;
  /** Clients that became open. */
  clientsOpened: number;
  /** Credentials refused, or `authenticateFn` threw. */
  authFailures: number;
  /** Clients closed with 4001. */
  authTimeouts: number;
  /** Clients closed with 4002. */
  heartbeatTimeouts: number;
  /** Inbound frames answered with an `error` (bad JSON, bad shape, ...). */
  framesRejected: number;
  /** Clients closed with 4006 (frame rate, byte rate or inbound queue). */
  rateLimitCloses: number;
  /** Of those, closed because they sent more bytes than `inboundBytesPerSecond` / `inboundBurstBytes` allow. */
  byteRateLimitCloses: number;
  /** Messages written to a socket. */
  messagesDelivered: number;
  /** Messages skipped for a client whose buffer was full (`slowConsumerPolicy: 'drop'`). */
  slowConsumerDrops: number;
  /** Clients closed with 4007. */
  slowConsumerCloses: number;
  /** Clients cut off because all sockets together held more than `maxTotalBufferedBytes` unsent (the ones holding the most first). */
  outboundBudgetCloses: number;
  /** History store operations that failed (say, Redis unreachable): the message went out without a position, or the rejoin without recovery (`recovered: false`). */
  historyFailures: number;
  /** Room messages from across instances that arrived after a later one of their room had been delivered here: dropped, so no client sees its room go backwards. */
  historyLateMessages: number;
  /** Messages of a room given up on after `historyReorderMs` (lost on the bus): this instance's members never got them live. */
  historySkippedMessages: number;
  /** Presence store operations that failed (say, Redis unreachable): a join or leave went unrecorded, or a heartbeat was missed. Presence events are still sent. */
  presenceFailures: number;
  /** Delivery Service store operations of end-to-end rooms that failed: the request was answered with `HANDLER_FAILED`, or an admission went unrecorded. */
  deliveryServiceFailures: number;
  /** `messageHandler`, `validateRoomFn` or a lifecycle hook threw. */
  handlerErrors: number;
  /** Clients' requests (frames with `ack`) answered with a `sealed:reply`, with a result or an error. */
  requestsAnswered: number;
  /** Requests to clients (`request`) that got no reply within their timeout. */
  requestTimeouts: number;
  /** Replies from clients to no request awaiting one (it timed out, or never was): dropped. */
  repliesUnmatched: number;
  /** Clients refused by the handshake (closed with 4004). */
  handshakeFailures: number;
  /** Messages to encrypted clients dropped because the transformer failed or returned nothing. */
  encryptedDrops: number;
  /** Encrypted clients closed with 4005 (a frame failed to decrypt, or was replayed or reordered). */
  cryptoFailures: number;
  /** Envelopes published to the bus. */
  busPublished: number;
  /** Envelopes the bus refused (for example, Redis unreachable): those messages reached no other instance. */
  busPublishFailures: number;
  /** Envelopes from other instances delivered here. */
  busReceived: number;
  /** Envelopes dropped: malformed, oversized, unauthenticated or of an unknown kind. */
  busDropped: number;
}

/** The live counters. Plain fields: incrementing one costs nothing on the hot path. */
export class ServerMetrics implements ServerMetricsSnapshot {
  connectionsAccepted = 0;
  connectionsRejected = 0;
  preAuthRejections = 0;
  preAuthTerminations = 0;
  preAuthOversize = 0;
  preAuthByteCloses = 0;
  upgradeRateRejections = 0;
  headerTimeouts = 0;
  headerRejections = 0;
  clientsOpened = 0;
  authFailures = 0;
  authTimeouts = 0;
  heartbeatTimeouts = 0;
  framesRejected = 0;
  rateLimitCloses = 0;
  byteRateLimitCloses = 0;
  messagesDelivered = 0;
  slowConsumerDrops = 0;
  slowConsumerCloses = 0;
  outboundBudgetCloses = 0;
  historyFailures = 0;
  historyLateMessages = 0;
  historySkippedMessages = 0;
  presenceFailures = 0;
  deliveryServiceFailures = 0;
  handlerErrors = 0;
  requestsAnswered = 0;
  requestTimeouts = 0;
  repliesUnmatched = 0;
  handshakeFailures = 0;
  encryptedDrops = 0;
  cryptoFailures = 0;
  busPublished = 0;
  busPublishFailures = 0;
  busReceived = 0;
  busDropped = 0;

  snapshot(): ServerMetricsSnapshot {
    return { ...this };
  }
}
