import type { HandshakeRefusal } from '../crypto/server-handshake.ts';
import type { TicketRefusal } from '../crypto/server-resumption.ts';

/** Why a ticket was not taken, as counted: a hello without one, or one the full handshake refuses anyway, is not. */
export type CountedTicketRefusal = Exclude<TicketRefusal, 'NO_TICKET' | 'HELLO_REFUSED'>;

/**
 * Why the kit refused a client: the handshake's own refusals, plus no hello
 * where one is required, credentials sent beside the hello (in the clear)
 * instead of inside the finish, credentials that are not a JSON object within
 * the frame rules, a client key that is not the one pinned for the user, and
 * a new user's key that an in-memory pin store at its `maxPins` cannot pin.
 */
export type KitRefusal =
  | HandshakeRefusal
  | 'MISSING'
  | 'CLEAR_CREDENTIALS'
  | 'MALFORMED_CREDENTIALS'
  | 'CLIENT_KEY_MISMATCH'
  | 'DEVICE_LIMIT'
  | 'PIN_STORE_FULL'
  /** A resumed connection whose credentials name another user than its ticket. */
  | 'TICKET_USER_MISMATCH'
  /** A resumption's finish did not open. */
  | 'BAD_RESUME_FINISH';

/** What the secure kit has counted since it was created. */
export interface SecureKitMetricsSnapshot {
  /** Handshakes completed (every level). */
  handshakesCompleted: number;
  /** Handshakes refused, by reason. */
  handshakeRefusals: Partial<Record<KitRefusal, number>>;
  /** Connections resumed from a ticket and accepted for the ticket's user (their handshakes also count in `handshakesCompleted`). */
  resumptions: number;
  /** Resumption tickets sent to clients. */
  ticketsIssued: number;
  /** Devices a user added beside its first, through `enrollDeviceFn`. */
  devicesEnrolled: number;
  /** Tickets not taken, by reason; each of those clients ran the full handshake instead. */
  ticketRefusals: Partial<Record<CountedTicketRefusal, number>>;
  /** Keys replaced by the rekey policy, both directions of every channel together. */
  rekeys: number;
  /** Inbound protected frames refused (each closes its connection with 4005). */
  framesRefused: number;
}

/** The kit's counters; `snapshot()` copies them. */
export class SecureKitMetrics {
  handshakesCompleted = 0;
  readonly handshakeRefusals: Partial<Record<KitRefusal, number>> = {};
  resumptions = 0;
  ticketsIssued = 0;
  devicesEnrolled = 0;
  readonly ticketRefusals: Partial<Record<CountedTicketRefusal, number>> = {};
  rekeys = 0;
  framesRefused = 0;

  /** Counts one handshake refusal. */
  refused(refusal: KitRefusal): void {
    this.handshakeRefusals[refusal] = (this.handshakeRefusals[refusal] ?? 0) + 1;
  }

  /** Counts one ticket not taken. */
  ticketRefused(refusal: CountedTicketRefusal): void {
    this.ticketRefusals[refusal] = (this.ticketRefusals[refusal] ?? 0) + 1;
  }

  /** Counts one key replaced; passed to every channel as its `onRekey`. */
  readonly rekeyed = (): void => {
    this.rekeys += 1;
  };

  snapshot(): SecureKitMetricsSnapshot {
    return {
      handshakesCompleted: this.handshakesCompleted,
      handshakeRefusals: { ...this.handshakeRefusals },
      resumptions: this.resumptions,
      ticketsIssued: this.ticketsIssued,
      devicesEnrolled: this.devicesEnrolled,
      ticketRefusals: { ...this.ticketRefusals },
      rekeys: this.rekeys,
      framesRefused: this.framesRefused,
    };
  }
}
