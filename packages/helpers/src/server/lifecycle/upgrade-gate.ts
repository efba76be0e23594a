import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Server as WebSocketServer } from 'ws';
import type { ClientSocket } from './client-socket.ts';
import { AddressRateLimiter } from './address-rate-limiter.ts';
import { clientAddressOf } from './client-address.ts';
import { PreAuthSlots } from './pre-auth-slots.ts';
import { readUpgradeFrame } from '../../protocol/upgrade-frame.ts';
import type { Logger } from '../../logging/logger.ts';
import type { ThrottledLog } from '../../logging/throttled-log.ts';
import type { ServerMetrics } from '../server-metrics.ts';
import type { ServerSettingValues } from '../server-settings.ts';

/** HTTP statuses the gate answers with before any upgrade. */
export const UpgradeRejection = {
  /** The path is not ours and no one else listens for upgrades. */
  NOT_FOUND: 404,
  /** The `Origin` header is not in `allowedOrigins`. */
  FORBIDDEN_ORIGIN: 403,
  /** At `maxConnections` or `maxUnauthenticatedConnections`, or shutting down. */
  UNAVAILABLE: 503,
  /** The first frame carried in the upgrade's subprotocols is malformed or too large. */
  BAD_REQUEST: 400,
  /** The remote address holds `maxUnauthenticatedPerAddress` sockets that have not authenticated, or starts upgrades faster than its rate. */
  TOO_MANY_FROM_ADDRESS: 429,
} as const;

export type UpgradeRejection = (typeof UpgradeRejection)[keyof typeof UpgradeRejection];

/** Which pre-authentication limit refused an upgrade: the address's upgrade rate, or the slots. */
type PreAuthLimit = 'RATE' | 'SLOTS';

/** The settings the gate enforces before any upgrade. */
export type UpgradeLimits = Pick<
  ServerSettingValues,
  | 'maxUnauthenticatedConnections'
  | 'maxUnauthenticatedPerAddress'
  | 'upgradesPerSecondPerAddress'
  | 'upgradeBurstPerAddress'
  | 'maxTrackedAddresses'
  | 'trustedProxies'
>;

/** Dependencies of an {@link UpgradeGate}. */
export interface UpgradeGateInit {
  path: string;
  maxConnections: number;
  allowedOrigins: readonly string[] | undefined;
  wss: WebSocketServer<typeof ClientSocket>;
  /** Largest first frame the upgrade's subprotocols may carry (`maxPayloadBytesBeforeAuth`). */
  maxFirstFrameBytes: number;
  /** Caps and rates before authentication, and the proxies whose `X-Forwarded-For` names the client address. */
  limits: UpgradeLimits;
  /** A monotonic clock in milliseconds, for the upgrade rate. */
  monotonicNow: () => number;
  /** Live sockets the server holds now. */
  liveConnections: () => number;
  /** Whether other code also listens for `upgrade` on the same HTTP server. */
  hasOtherUpgradeListeners: () => boolean;
  /** A new connection, with the client's address, the function that gives its pre-authentication slot back, and the first frame its upgrade carried. */
  onConnection: (socket: ClientSocket, remoteAddress: string | undefined, releaseSlot: () => void, firstFrame: Uint8Array | undefined) => void;
  /** Counts refused upgrades (`connectionsRejected`, and `preAuthRejections` or `upgradeRateRejections`). */
  metrics: ServerMetrics;
  logger: Logger;
  /** Logs what a peer can repeat at will: the first of each kind per window, then a summary. */
  throttledLog: ThrottledLog;
}

/**
 * Decides, before any WebSocket exists, whether an HTTP upgrade may proceed:
 * right path, allowed origin, room under `maxConnections` counting the
 * upgrades still in progress, and a well-formed first frame when the
 * subprotocols carry one. Refusals are plain HTTP responses.
 */
export class UpgradeGate {
  #pendingUpgrades = 0;
  #closed = false;
  readonly #allowedOrigins: ReadonlySet<string> | undefined;
  readonly #trustedProxies: ReadonlySet<string>;
  /** Slots for connections not yet authenticated. */
  readonly #preAuth: PreAuthSlots;
  /** How fast each remote address may start upgrades. */
  readonly #upgradeRate: AddressRateLimiter;

  constructor(private readonly init: UpgradeGateInit) {
    const { limits } = init;
    this.#allowedOrigins = init.allowedOrigins ? new Set(init.allowedOrigins) : undefined;
    this.#trustedProxies = new Set(limits.trustedProxies);
    this.#preAuth = new PreAuthSlots({
      maxUnauthenticated: limits.maxUnauthenticatedConnections,
      maxUnauthenticatedPerAddress: limits.maxUnauthenticatedPerAddress,
    });
    this.#upgradeRate = new AddressRateLimiter({
      perSecond: limits.upgradesPerSecondPerAddress,
      burst: limits.upgradeBurstPerAddress,
      maxAddresses: limits.maxTrackedAddresses,
    });
  }

  /** Upgrades accepted by the gate whose WebSocket handshake has not finished. */
  get pendingUpgrades(): number {
    return this.#pendingUpgrades;
  }

  /** From now on every upgrade is refused with 503. */
  close(): void {
    this.#closed = true;
  }

  /** The `upgrade` listener to attach to the HTTP server. */
  readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathOf(request.url) !== this.init.path) {
      if (!this.init.hasOtherUpgradeListeners()) this.#reject(socket, UpgradeRejection.NOT_FOUND);
      return;
    }
    if (this.#closed) {
      this.#reject(socket, UpgradeRejection.UNAVAILABLE);
      return;
    }
    const origin = request.headers.origin;
    if (this.#allowedOrigins && origin !== undefined && !this.#allowedOrigins.has(origin)) {
      this.#reject(socket, UpgradeRejection.FORBIDDEN_ORIGIN);
      return;
    }
    if (this.init.liveConnections() + this.#pendingUpgrades >= this.init.maxConnections) {
      this.#reject(socket, UpgradeRejection.UNAVAILABLE);
      return;
    }
    const remoteAddress = clientAddressOf(request, this.#trustedProxies);
    const address = remoteAddress ?? '';
    if (!this.#upgradeRate.take(address, this.init.monotonicNow())) {
      this.#reject(socket, UpgradeRejection.TOO_MANY_FROM_ADDRESS, 'RATE');
      return;
    }
    const firstFrame = readUpgradeFrame(request.headers['sec-websocket-protocol'], this.init.maxFirstFrameBytes);
    if (!firstFrame.ok) {
      this.#reject(socket, UpgradeRejection.BAD_REQUEST, undefined, firstFrame.reason);
      return;
    }
    const slot = this.#preAuth.take(address);
    if (!slot.ok) {
      this.#reject(socket, slot.code === 'ADDRESS_FULL' ? UpgradeRejection.TOO_MANY_FROM_ADDRESS : UpgradeRejection.UNAVAILABLE, 'SLOTS');
      return;
    }
    this.#upgrade(request, socket, head, remoteAddress, slot.release, firstFrame.frame);
  };

  #upgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    remoteAddress: string | undefined,
    releaseSlot: () => void,
    firstFrame: Uint8Array | undefined,
  ): void {
    this.#pendingUpgrades += 1;
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      this.#pendingUpgrades -= 1;
    };
    // ws answers a malformed handshake itself and never calls back; the socket's close settles it (and frees the slot) then.
    const abandoned = (): void => {
      settle();
      releaseSlot();
    };
    socket.once('close', abandoned);
    this.init.wss.handleUpgrade(request, socket, head, (webSocket) => {
      settle();
      socket.off('close', abandoned);
      this.init.onConnection(webSocket, remoteAddress, releaseSlot, firstFrame);
    });
  }

  #reject(socket: Duplex, status: UpgradeRejection, limit?: PreAuthLimit, detail?: string): void {
    const { metrics } = this.init;
    metrics.connectionsRejected += 1;
    if (limit === 'SLOTS') metrics.preAuthRejections += 1;
    if (limit === 'RATE') metrics.upgradeRateRejections += 1;
    this.init.throttledLog.note('upgrade refused', String(status), detail === undefined ? { path: this.init.path } : { path: this.init.path, detail });
    const reason = STATUS_CODES[status] ?? '';
    socket.on('error', () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
    );
  }
}

/** The path of a request URL, without the query string. */
function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const queryStart = url.indexOf('?');
  return queryStart === -1 ? url : url.slice(0, queryStart);
}
