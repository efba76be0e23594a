import { AeadSuite, isAeadSuite } from './aead-suite.ts';
import { concatBytes, fromBase64, toBase64, utf8Decode, utf8Encode, zeroize } from './bytes.ts';
import { CryptoSizes, type CryptoProvider, type RawKeyPair } from './crypto-provider.ts';
import { record } from './handshake-messages.ts';
import { HandshakeLabel } from './handshake-transcript.ts';
import { isSecurityLevel, SecurityLevel } from './security-level.ts';
import { openWithSuite, sealWithSuite } from './suite-aead.ts';

/** The first byte of every ticket: the layout below. */
export const TICKET_FORMAT = 2;

/** Bytes of a ticket's random id. */
export const TICKET_ID_BYTES = 16;

/** Tickets are sealed with one AEAD whatever the connections run. */
const TICKET_SUITE = AeadSuite.CHACHA20_POLY1305;

/** The nonce of a ticket box: fixed, since every ticket has a key of its own. */
const TICKET_NONCE = new Uint8Array(CryptoSizes.GCM_NONCE_BYTES);

/** Where a ticket's box starts: after the format byte and the id. */
const TICKET_BOX_OFFSET = 1 + TICKET_ID_BYTES;

/** What a resumption ticket binds. Only servers that hold the identity which sealed it can read it. */
export interface TicketContents {
  /** Random; a ticket is used once, claimed on this id. */
  id: Uint8Array;
  /** Server clock, ms since the epoch, after which the ticket is refused. */
  expiresAtMs: number;
  level: SecurityLevel;
  suite: AeadSuite;
  /** The client identity key that signed the handshake the ticket comes from. */
  clientIdentity: Uint8Array;
  /** The ticket's secret (also derived by the client from its resumption secret and the id). */
  secret: Uint8Array;
  userId: string;
  /** What `authenticateFn` returned with the user, kept for a resumption that does not authenticate again. */
  metadata?: Record<string, unknown>;
}

/** The JSON sealed inside a ticket. */
interface TicketPlaintext {
  exp: number;
  level: SecurityLevel;
  suite: AeadSuite;
  cid: string;
  psk: string;
  user: string;
  meta?: Record<string, unknown>;
}

/**
 * Seals and opens resumption tickets under keys derived from the server's
 * identity secret key, so every instance with the same identity file opens
 * the tickets of any other, and no other identity can. Each ticket is
 * sealed under a key of its own, HKDF of the ticket master key with the
 * ticket's random id as salt (the layout is in docs/protocol.md).
 */
export class TicketSealer {
  readonly #crypto: CryptoProvider;
  readonly #master: Uint8Array;

  constructor(crypto: CryptoProvider, identity: RawKeyPair) {
    this.#crypto = crypto;
    this.#master = crypto.hkdfSha256(identity.secretKey, identity.publicKey, utf8Encode(HandshakeLabel.TICKET_MASTER), CryptoSizes.AES256_KEY_BYTES);
  }

  /** A fresh random ticket id. */
  newId(): Uint8Array {
    return this.#crypto.randomBytes(TICKET_ID_BYTES);
  }

  async seal(contents: TicketContents): Promise<Uint8Array> {
    const plaintext: TicketPlaintext = {
      exp: contents.expiresAtMs,
      level: contents.level,
      suite: contents.suite,
      cid: toBase64(contents.clientIdentity),
      psk: toBase64(contents.secret),
      user: contents.userId,
      ...(contents.metadata === undefined ? {} : { meta: contents.metadata }),
    };
    const bytes = utf8Encode(JSON.stringify(plaintext));
    const key = this.#key(contents.id);
    try {
      const box = await sealWithSuite(this.#crypto, TICKET_SUITE, key, TICKET_NONCE, bytes, ticketAad(contents.id));
      return concatBytes(new Uint8Array([TICKET_FORMAT]), contents.id, box);
    } finally {
      zeroize(key);
      zeroize(bytes);
    }
  }

  /** The contents of a ticket this identity sealed; `undefined` for anything else (another identity's, changed, truncated). */
  async open(ticket: Uint8Array): Promise<TicketContents | undefined> {
    if (ticket.length < TICKET_BOX_OFFSET + CryptoSizes.GCM_TAG_BYTES || ticket[0] !== TICKET_FORMAT) return undefined;
    const id = ticket.slice(1, TICKET_BOX_OFFSET);
    const key = this.#key(id);
    let opened: Uint8Array | undefined;
    try {
      opened = await openWithSuite(this.#crypto, TICKET_SUITE, key, TICKET_NONCE, ticket.subarray(TICKET_BOX_OFFSET), ticketAad(id));
      return opened && readTicketPlaintext(id, opened);
    } finally {
      zeroize(key);
      zeroize(opened);
    }
  }

  /** Zeroes the ticket master key. */
  dispose(): void {
    zeroize(this.#master);
  }

  #key(id: Uint8Array): Uint8Array {
    return this.#crypto.hkdfSha256(this.#master, id, utf8Encode(HandshakeLabel.TICKET_KEY), CryptoSizes.AES256_KEY_BYTES);
  }
}

/** The additional data of a ticket box: the label, the format byte and the id. */
function ticketAad(id: Uint8Array): Uint8Array {
  return concatBytes(utf8Encode(HandshakeLabel.TICKET_AAD), new Uint8Array([TICKET_FORMAT]), id);
}

function readTicketPlaintext(id: Uint8Array, bytes: Uint8Array): TicketContents | undefined {
  let wire: Record<string, unknown> | undefined;
  try {
    wire = record(JSON.parse(utf8Decode(bytes)));
  } catch {
    return undefined;
  }
  if (!wire || typeof wire.exp !== 'number' || typeof wire.user !== 'string') return undefined;
  if (!isSecurityLevel(wire.level) || wire.level === SecurityLevel.NONE || !isAeadSuite(wire.suite)) return undefined;
  const clientIdentity = typeof wire.cid === 'string' ? fromBase64(wire.cid) : undefined;
  const secret = typeof wire.psk === 'string' ? fromBase64(wire.psk) : undefined;
  if (clientIdentity?.length !== CryptoSizes.ED25519_KEY_BYTES || secret?.length !== CryptoSizes.AES256_KEY_BYTES) return undefined;
  const metadata = wire.meta === undefined ? undefined : record(wire.meta);
  if (wire.meta !== undefined && !metadata) return undefined;
  return { id, expiresAtMs: wire.exp, level: wire.level, suite: wire.suite, clientIdentity, secret, userId: wire.user, metadata };
}
