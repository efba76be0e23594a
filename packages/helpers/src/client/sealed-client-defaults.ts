/** Defaults of the {@link SealedClientOptions} limits. */
export const SEALED_CLIENT_DEFAULTS = Object.freeze({
  /** Events kept per name while no listener is attached. */
  maxBufferedEvents: 100,
  /** Largest frame accepted from the server, in bytes (UTF-8 bytes for text frames); larger ones are dropped and reported. */
  maxFrameBytes: 1024 * 1024,
  /** Emits kept while the client connects or reconnects, sent once it is open; past it an emit is refused (`OFFLINE_QUEUE_FULL`). */
  maxQueuedEmits: 100,
  /** Queued emits a connection may send right behind its credentials, before it is open. */
  maxEarlyEmits: 8,
  /** Bytes on the wire those early emits may take together: half the server's default limit for one frame before authentication. */
  maxEarlyBytes: 8 * 1024,
  /** Milliseconds a `credentials` function's promise may take before the connection attempt closes (4001) and, if reconnecting is on, is made again. */
  credentialsTimeoutMs: 10_000,
  /** Largest `authenticate` frame (UTF-8 bytes) carried in the upgrade request, as a subprotocol, rather than sent after it: a credential or a hello, well below proxies' header limits. */
  maxUpgradeFrameBytes: 4 * 1024,
  /** Milliseconds a request waits for its reply before it rejects with `REQUEST_TIMEOUT`. */
  requestTimeoutMs: 10_000,
  /** Requests that may await their reply at once; past it a request rejects with `TOO_MANY_PENDING_REQUESTS`. */
  maxPendingRequests: 100,
});
