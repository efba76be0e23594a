import { SealedError } from '../../protocol/sealed-error.ts';
import { refuseReservedEventName } from '../../protocol/event-names.ts';
import { UsageErrorCode } from '../../protocol/usage-error-codes.ts';
import type { ServerMetrics } from '../server-metrics.ts';
import type { WebSocketClient } from '../registry/websocket-client.ts';
import { SettingRules } from '../server-settings.ts';
import type { OutboundRouter } from './outbound-router.ts';

/** A request to one client: an application event it answers with a `sealed:reply`. */
export interface ClientRequest {
  event: string;
  data?: unknown;
  /** Milliseconds to wait for the reply; `requestTimeoutMs` by default. */
  timeoutMs?: number;
}

/** What {@link ClientRequests} needs. */
export interface ClientRequestsInit {
  router: OutboundRouter;
  metrics: ServerMetrics;
  /** Milliseconds a request waits for its reply when it does not say. */
  defaultTimeoutMs: number;
}

/**
 * The server's requests to its clients: each goes out as the event with a
 * fresh `ack` id, by the client's own path (encrypted for an encrypted
 * client), and settles once with the client's `sealed:reply`, its timeout,
 * or the client's disconnection. The client keeps the requests awaiting
 * its reply (`WebSocketClient.requests`), bounded per client.
 */
export class ClientRequests {
  constructor(private readonly init: ClientRequestsInit) {}

  /**
   * Sends `request` to an open client and resolves with the result of its reply.
   *
   * @throws SealedError (as a rejection): `RESERVED_EVENT_NAME`, `INVALID_OPTIONS` (a timeout that is not a positive integer),
   * `TOO_MANY_PENDING_REQUESTS`, `NOT_DELIVERED`, `REQUEST_TIMEOUT`, `DISCONNECTED`, or the code and message the client replied with.
   */
  send(client: WebSocketClient, request: ClientRequest): Promise<unknown> {
    try {
      refuseReservedEventName(request.event);
      if (request.timeoutMs !== undefined) SettingRules.positiveInteger('timeoutMs', request.timeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
    const { ack, reply } = client.requests.open(request.timeoutMs ?? this.init.defaultTimeoutMs);
    if (!client.requests.has(ack)) return reply;
    const answered = reply.catch((error: unknown) => {
      if (SealedError.is(error) && error.code === UsageErrorCode.REQUEST_TIMEOUT) this.init.metrics.requestTimeouts += 1;
      throw error;
    });
    void this.init.router.toClients([client], { event: request.event, data: request.data, ack }).then((report) => {
      if (report.delivered === 0) client.requests.cancel(ack, new SealedError(UsageErrorCode.NOT_DELIVERED, 'The request could not be written to the client'));
    });
    return answered;
  }
}
