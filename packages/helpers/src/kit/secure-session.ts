import type { AeadSuite } from '../crypto/aead-suite.ts';
import { zeroize } from '../crypto/bytes.ts';
import { CryptoSizes, type CryptoProvider } from '../crypto/crypto-provider.ts';
import { ticketSecret } from '../crypto/key-schedule.ts';
import type { SecureChannel } from '../crypto/secure-channel.ts';
import type { SecurityLevel } from '../crypto/security-level.ts';
import type { ClientSession } from '../server/encryption-hooks.ts';

/** What a session's resumption tickets bind besides the user. */
export interface SessionTicketBasis {
  /** The secret each ticket's secret is derived from: a view of {@link RESUMPTION_SECRET_BYTES} bytes, kept by its place in its buffer. */
  resumptionSecret: Uint8Array;
  clientIdentity: Uint8Array;
  suite: AeadSuite;
}

/** Bytes of a resumption secret (`resumptionSecret` in the key schedule). */
const RESUMPTION_SECRET_BYTES = CryptoSizes.AES256_KEY_BYTES;

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
  /**
   * Where the resumption secret is: its buffer (the session's, which the
   * channel's keys share) and offset, not a view of it. It is read only when
   * a ticket is issued, and a view kept for the connection's life would cost
   * about 100 bytes.
   */
  readonly #secretBuffer: ArrayBufferLike;
  readonly #secretOffset: number;
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
    const secret = ticketBasis.resumptionSecret;
    if (secret.length !== RESUMPTION_SECRET_BYTES) throw new RangeError(`A resumption secret is ${RESUMPTION_SECRET_BYTES} bytes`);
    this.#secretBuffer = secret.buffer;
    this.#secretOffset = secret.byteOffset;
    this.clientIdentity = ticketBasis.clientIdentity;
    this.suite = ticketBasis.suite;
  }

  /** The secret of this session's ticket `id`, derived from its resumption secret; the caller zeroes it. */
  ticketSecret(crypto: CryptoProvider, id: Uint8Array): Uint8Array {
    return ticketSecret(crypto, this.#resumptionSecret(), id);
  }

  /** Zeroes the channel's keys and the resumption secret. */
  dispose(): void {
    this.#channel.close();
    zeroize(this.#resumptionSecret());
  }

  #resumptionSecret(): Uint8Array {
    return new Uint8Array(this.#secretBuffer, this.#secretOffset, RESUMPTION_SECRET_BYTES);
  }

  static of(session: ClientSession | undefined): SecureSession | undefined {
    return session instanceof SecureSession ? session : undefined;
  }
}

/** The channel of a client's session, when the secure kit made it; for the kit's own transformers. */
export function sessionChannel(session: ClientSession | undefined): SecureChannel | undefined {
  const secure = SecureSession.of(session);
  return secure && channelOfSession(secure);
}
