import { ServerEvent } from '../../protocol/event-names.ts';
import type { Logger } from '../../logging/logger.ts';
import { ConnectionState } from '../registry/connection-state.ts';
import type { ClientRegistry } from '../registry/client-registry.ts';
import type { WebSocketClient } from '../registry/websocket-client.ts';
import type { ServerMetrics } from '../server-metrics.ts';
import type { ClientAnswers } from './client-answers.ts';

/** Dependencies of a {@link TicketRenewal}. */
export interface TicketRenewalInit {
  clients: ClientRegistry;
  answers: ClientAnswers;
  metrics: ServerMetrics;
  logger: Logger;
  now: () => number;
}

/**
 * Keeps every resumable client holding a ticket it can still use: one when
 * it opens, then a fresh one once half of the last one's lifetime has
 * passed. One pass for the whole server, not a timer per client.
 */
export class TicketRenewal {
  constructor(private readonly init: TicketRenewalInit) {}

  /**
   * One pass over the clients; the server runs it every `heartbeatInterval`
   * on an `IntervalSweep` (tickets live for minutes: each is renewed within
   * one interval of reaching half its life).
   */
  sweep(): void {
    const now = this.init.now();
    for (const client of this.init.clients.all()) {
      const { resumption } = client;
      if (resumption && client.state === ConnectionState.OPEN && now - client.ticketIssuedAt >= resumption.ticketLifetimeMs / 2) {
        this.issue(client);
      }
    }
  }

  /** Sends the client a fresh ticket, as a protected `sealed:ticket` frame; a ticket that cannot be made is skipped and logged. */
  issue(client: WebSocketClient): void {
    const { resumption, userId } = client;
    if (!resumption || userId === undefined) return;
    client.ticketIssuedAt = this.init.now();
    Promise.resolve()
      .then(() => resumption.issueTicket({ userId, metadata: client.metadata }))
      .then((ticket) => {
        if (ticket && client.state === ConnectionState.OPEN) this.init.answers.control(client, ServerEvent.TICKET, ticket);
      })
      .catch((error: unknown) => {
        this.init.metrics.handlerErrors += 1;
        this.init.logger.warn({ clientId: client.id, err: error }, 'a resumption ticket could not be issued');
      });
  }
}
