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

/** Reads a session's channel; set once the class below is defined, and not exported from the package. */
let channelOfSession: (session: SecureSession) => SecureChannel;

/**
 * What the secure kit keeps per client: the level agreed, the channel that
 * protects its frames, and what its tickets come from (kept as the
 * session's own fields, not as an object of their own). The channel and
 * the resumption secret are private: the session is handed to application
 * code (the client's `session`), and nothing there may read or log the
 * secret, or seal, open or close with the channel (one frame sealed out of
 * turn would desynchronize the client's sequence, and end its connection).
 * The kit's transformers reach the channel through {@link sessionChannel}.
 */
export class SecureSession implements ClientSession {
  readonly #channel: SecureChannel;
  readonly #resumptionSecret: Uint8Array;
  readonly clientIdentity: Uint8Array;
  readonly suite: AeadSuite;

  static {
    channelOfSession = (session) => session.#channel;
  }

  constructor(
    readonly level: SecurityLevel,
    channel: SecureChannel,
    ticketBasis: SessionTicketBasis,
  ) {
    this.#channel = channel;
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
    this.#channel.close();
    zeroize(this.#resumptionSecret);
  }

  static of(session: ClientSession | undefined): SecureSession | undefined {
    return session instanceof SecureSession ? session : undefined;
  }
}

/** The channel of a client's session, when the secure kit made it; for the kit's own transformers. */
export function sessionChannel(session: ClientSession | undefined): SecureChannel | undefined {
  return session instanceof SecureSession ? channelOfSession(session) : undefined;
}
