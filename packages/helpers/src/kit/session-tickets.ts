import { toBase64, zeroize } from '../crypto/bytes.ts';
import type { CryptoProvider, RawKeyPair } from '../crypto/crypto-provider.ts';
import { TicketSealer } from '../crypto/resumption-ticket.ts';
import type { TicketWire } from '../crypto/client-resumption.ts';
import type { SessionResumption } from '../server/encryption-hooks.ts';
import type { AuthenticationResult } from '../server/server-hooks.ts';
import type { SecureKitMetrics } from './secure-kit-metrics.ts';
import type { SecureSession } from './secure-session.ts';

/** How the kit resumes sessions; see `resumption` in {@link SecureServerKitOptions}. */
export interface ResumptionPolicy {
  /** Whether the kit issues tickets and takes them. */
  enabled: boolean;
  /** How long a ticket is taken after it was issued. */
  ticketLifetimeMs: number;
  /**
   * Whether `authenticateFn` runs again on the credentials of a resumed
   * connection (the default); when false, the ticket's user and metadata
   * stand in for it.
   */
  authenticateAgain: boolean;
}

/** Defaults of {@link ResumptionPolicy}. */
export const RESUMPTION_DEFAULTS: Readonly<ResumptionPolicy> = Object.freeze({
  enabled: true,
  ticketLifetimeMs: 120_000,
  authenticateAgain: true,
});

/**
 * Issues the resumption tickets of the kit's sessions: each binds the
 * level, the suite, the client identity key, the user and its metadata and
 * an expiry, with a secret of its own that the client derives too, sealed
 * under a key from the server identity.
 */
export class SessionTickets {
  readonly sealer: TicketSealer;

  constructor(
    private readonly crypto: CryptoProvider,
    identity: RawKeyPair,
    readonly policy: ResumptionPolicy,
    private readonly metrics: SecureKitMetrics,
    private readonly now: () => number,
  ) {
    this.sealer = new TicketSealer(crypto, identity);
  }

  /** The resumption of one session; `resumedUser` when it resumed and the user is not authenticated again. */
  resumptionOf(session: SecureSession, resumedUser?: AuthenticationResult): SessionResumption {
    return new KitSessionResumption(this, session, resumedUser);
  }

  /** A ticket for `session` that binds `user`. */
  async issue(session: SecureSession, user: AuthenticationResult): Promise<TicketWire | undefined> {
    const id = this.sealer.newId();
    const secret = session.ticketSecret(this.crypto, id);
    const ticket = await this.sealer.seal({
      id,
      expiresAtMs: this.now() + this.policy.ticketLifetimeMs,
      level: session.level,
      suite: session.suite,
      clientIdentity: session.clientIdentity,
      secret,
      userId: user.userId,
      metadata: user.metadata,
    });
    zeroize(secret);
    this.metrics.ticketsIssued += 1;
    return { ticket: toBase64(ticket), lifetimeMs: this.policy.ticketLifetimeMs };
  }
}

/** One session's resumption, kept per connection: three references, no closure of its own. */
class KitSessionResumption implements SessionResumption {
  constructor(
    private readonly tickets: SessionTickets,
    private readonly session: SecureSession,
    readonly resumedUser: AuthenticationResult | undefined,
  ) {}

  get ticketLifetimeMs(): number {
    return this.tickets.policy.ticketLifetimeMs;
  }

  issueTicket(user: AuthenticationResult): Promise<TicketWire | undefined> {
    return this.tickets.issue(this.session, user);
  }
}
