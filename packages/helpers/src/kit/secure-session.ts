import type { AeadSuite } from '../crypto/aead-suite.ts';
import { zeroize } from '../crypto/bytes.ts';
import type { CryptoProvider } from '../crypto/crypto-provider.ts';
import { ticketSecret } from '../crypto/key-schedule.ts';
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
 * session's own fields, not as an object of their own). The resumption
 * secret is private: the session is handed to application code (the
 * client's `session`), and nothing there may read or log it.
 */
export class SecureSession implements ClientSession {
  readonly #resumptionSecret: Uint8Array;
  readonly clientIdentity: Uint8Array;
  readonly suite: AeadSuite;

  constructor(
    readonly level: SecurityLevel,
    readonly channel: SecureChannel,
    ticketBasis: SessionTicketBasis,
  ) {
    this.#resumptionSecret = ticketBasis.resumptionSecret;
    this.clientIdentity = ticketBasis.clientIdentity;
    this.suite = ticketBasis.suite;
  }

  /** The secret of this session's ticket `id`, derived from its resumption secret; the caller zeroes it. */
  ticketSecret(crypto: CryptoProvider, id: Uint8Array): Uint8Array {
    return ticketSecret(crypto, this.#resumptionSecret, id);
  }

  /** Zeroes the channel's keys and the resumption secret. */
  dispose(): void {
    this.channel.close();
    zeroize(this.#resumptionSecret);
  }

  static of(session: ClientSession | undefined): SecureSession | undefined {
    return session instanceof SecureSession ? session : undefined;
  }
}
