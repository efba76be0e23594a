import type { AeadSuite } from '../crypto/aead-suite.ts';
import { zeroize } from '../crypto/bytes.ts';
import type { SecureChannel } from '../crypto/secure-channel.ts';
import type { SecurityLevel } from '../crypto/security-level.ts';
import type { ClientSession } from '../server/encryption-hooks.ts';

/** What a session's resumption tickets bind besides the user. */
export interface SessionTicketBasis {
  /** The secret each ticket's secret is derived from. */
  resumptionSecret: Uint8Array;
  clientIdentity: Uint8Array;
  suite: AeadSuite;
}

/**
 * What the secure kit keeps per client: the level agreed, the channel that
 * protects its frames, and what its tickets come from (kept as the
 * session's own fields, not as an object of their own).
 */
export class SecureSession implements ClientSession, SessionTicketBasis {
  readonly resumptionSecret: Uint8Array;
  readonly clientIdentity: Uint8Array;
  readonly suite: AeadSuite;

  constructor(
    readonly level: SecurityLevel,
    readonly channel: SecureChannel,
    ticketBasis: SessionTicketBasis,
  ) {
    this.resumptionSecret = ticketBasis.resumptionSecret;
    this.clientIdentity = ticketBasis.clientIdentity;
    this.suite = ticketBasis.suite;
  }

  /** What the session's tickets come from: the session itself, which holds those values. */
  get ticketBasis(): SessionTicketBasis {
    return this;
  }

  /** Zeroes the channel's keys and the resumption secret. */
  dispose(): void {
    this.channel.close();
    zeroize(this.resumptionSecret);
  }

  static of(session: ClientSession | undefined): SecureSession | undefined {
    return session instanceof SecureSession ? session : undefined;
  }
}
