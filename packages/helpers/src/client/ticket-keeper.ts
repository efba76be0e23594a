import { zeroize } from '../crypto/bytes.ts';
import type { HeldTicket } from '../crypto/client-resumption.ts';

/**
 * The newest resumption ticket the server sent, kept in memory for the next
 * connection and given out once (again only if the connection it was given
 * to never got its upgrade answered); an expired one is never given out. A
 * ticket's secret is zeroed when it is replaced, dropped or expires.
 */
export class TicketKeeper {
  #ticket: HeldTicket | undefined;

  constructor(
    /** False: tickets are zeroed on arrival and never presented (the client's `resume: false`). */
    private readonly enabled: boolean,
    private readonly now: () => number,
  ) {}

  keep(ticket: HeldTicket): void {
    this.drop();
    if (this.enabled) this.#ticket = ticket;
    else zeroize(ticket.secret);
  }

  /**
   * Takes back a ticket whose connection closed before its upgrade was
   * answered (the server down, the network gone), for the next connection:
   * unless a newer one is kept meanwhile, or tickets are not kept.
   */
  keepUnanswered(ticket: HeldTicket): void {
    if (this.enabled && !this.#ticket) this.#ticket = ticket;
    else zeroize(ticket.secret);
  }

  /** The ticket to present, if one is kept and has not expired; it is not kept any longer. */
  take(): HeldTicket | undefined {
    const ticket = this.#ticket;
    this.#ticket = undefined;
    if (ticket && this.now() < ticket.expiresAtMs) return ticket;
    zeroize(ticket?.secret);
    return undefined;
  }

  drop(): void {
    zeroize(this.#ticket?.secret);
    this.#ticket = undefined;
  }
}
