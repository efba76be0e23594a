import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import type { ThrottledLog } from '../../logging/throttled-log.ts';
import type { ServerMetrics } from '../server-metrics.ts';

/** Dependencies of a {@link RequestHeaderDeadline}. */
export interface RequestHeaderDeadlineInit {
  server: HttpServer;
  /** How long a new connection has to deliver its first request's headers. */
  timeoutMs: number;
  /** Most connections from one address still waiting for their first request's headers. */
  maxPerAddress: number;
  /** Peers exempt from the per-address cap: every client behind them shares their address. */
  trustedProxies: ReadonlySet<string>;
  /** Counts `headerTimeouts` and `headerRejections`. */
  metrics: ServerMetrics;
  /** Logs destroyed connections: the first of each reason per window, then a summary. */
  throttledLog: ThrottledLog;
}

interface PendingConnection {
  readonly timer: NodeJS.Timeout;
  /** The address whose count it holds; unset for a trusted proxy, which holds none. */
  readonly countedAddress: string | undefined;
}

/**
 * Defends the HTTP server the helper is attached to against slow requests
 * (slowloris): every new connection must deliver the headers of its first
 * request (a WebSocket upgrade or any other) within `timeoutMs`, or it is
 * destroyed; one address may hold at most `maxPerAddress` connections that
 * have not, and further ones are destroyed on arrival. Node's own
 * `headersTimeout` is checked only every 30 s by default and has no
 * per-address cap. Later requests on a kept-alive connection are left to it.
 * Plain requests are seen through a `request` listener; upgrades must be
 * reported with {@link headersArrived}, so that the upgrade listener stays the
 * server's only one.
 */
export class RequestHeaderDeadline {
  readonly #pending = new Map<Socket, PendingConnection>();
  readonly #perAddress = new Map<string, number>();
  /** A TLS server's requests arrive on the socket of `secureConnection`, not the raw TCP one. */
  readonly #connectionEvent: 'connection' | 'secureConnection';
  /** One `close` listener for every pending connection (`this` is the socket), removed once it settles: nothing stays attached to a connection for its life. */
  readonly #onPendingClose: (this: Socket) => void;

  constructor(private readonly init: RequestHeaderDeadlineInit) {
    this.#connectionEvent = init.server instanceof TlsServer ? 'secureConnection' : 'connection';
    const deadline = this;
    this.#onPendingClose = function (this: Socket) {
      deadline.#settle(this);
    };
  }

  /** Connections waiting for their first request's headers now. */
  get pending(): number {
    return this.#pending.size;
  }

  start(): void {
    const { server } = this.init;
    server.on(this.#connectionEvent, this.#onConnection);
    server.prependListener('request', this.#onRequest);
  }

  /** Removes the listeners and forgets every pending connection (they stay open, under Node's own timeouts). */
  stop(): void {
    const { server } = this.init;
    server.off(this.#connectionEvent, this.#onConnection);
    server.off('request', this.#onRequest);
    for (const socket of [...this.#pending.keys()]) this.#settle(socket);
  }

  readonly #onConnection = (socket: Socket): void => {
    const address = socket.remoteAddress ?? '';
    const exempt = this.init.trustedProxies.has(address);
    const held = this.#perAddress.get(address) ?? 0;
    if (!exempt && held >= this.init.maxPerAddress) {
      this.init.metrics.headerRejections += 1;
      this.init.throttledLog.note('connection destroyed', 'TOO_MANY_INCOMPLETE_REQUESTS', { address });
      socket.destroy();
      return;
    }
    if (!exempt) this.#perAddress.set(address, held + 1);
    const timer = setTimeout(() => this.#expire(socket), this.init.timeoutMs);
    timer.unref();
    this.#pending.set(socket, { timer, countedAddress: exempt ? undefined : address });
    socket.on('close', this.#onPendingClose);
  };

  /** Marks the request's connection as having delivered its headers; the upgrade listener calls it for upgrades. */
  headersArrived(request: IncomingMessage): void {
    this.#settle(request.socket as Socket);
  }

  readonly #onRequest = (request: IncomingMessage): void => this.headersArrived(request);

  #expire(socket: Socket): void {
    this.#settle(socket);
    this.init.metrics.headerTimeouts += 1;
    this.init.throttledLog.note('connection destroyed', 'REQUEST_HEADERS_TIMEOUT', { address: socket.remoteAddress });
    socket.destroy();
  }

  #settle(socket: Socket): void {
    const entry = this.#pending.get(socket);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#pending.delete(socket);
    socket.off('close', this.#onPendingClose);
    const address = entry.countedAddress;
    if (address === undefined) return;
    const held = (this.#perAddress.get(address) ?? 1) - 1;
    if (held > 0) this.#perAddress.set(address, held);
    else this.#perAddress.delete(address);
  }
}
