import type { AeadSuite } from './aead-suite.ts';
import { constantTimeEqual, fromBase64, toBase64, zeroize } from './bytes.ts';
import { FINISH_NONCE } from './client-finish.ts';
import type { CryptoProvider } from './crypto-provider.ts';
import type { ClientHandshakeFailure, ClientHandshakeResult, PendingClientHandshake } from './client-handshake.ts';
import { readResumedServerHello, record } from './handshake-messages.ts';
import { resumeTranscriptHash, sessionHash } from './handshake-transcript.ts';
import { ephemeralSharedSecret, ticketSecret } from './key-schedule.ts';
import { resumeFinishKey, resumeKeyMaterial, resumeProof } from './resumption-schedule.ts';
import { TICKET_FORMAT, TICKET_ID_BYTES } from './resumption-ticket.ts';
import { Direction, type RekeyPolicy } from './secure-channel.ts';
import type { SecurityLevel } from './security-level.ts';
import { establishSession } from './session-keys.ts';
import { sealWithSuite } from './suite-aead.ts';
import { checkX25519PublicKey } from './x25519-public-key.ts';

/** The data of `sealed:ticket`: a ticket for a later connection, and how long it may wait. */
export type TicketWire = {
  /** The sealed ticket, base64; opaque to the client except for its first 17 bytes (format and id). */
  ticket: string;
  /** Milliseconds from now (by the client's clock) during which the server takes it. */
  lifetimeMs: number;
};

/** A ticket the client keeps for its next connection to the same server. */
export interface HeldTicket {
  ticket: Uint8Array;
  /** The ticket's secret, derived from the session's resumption secret and the ticket's id. */
  secret: Uint8Array;
  /** The identity of the server that issued it: a resumed server hello must come from it. */
  serverIdentity: Uint8Array;
  level: SecurityLevel;
  suite: AeadSuite;
  /** Client clock, ms since the epoch, after which the ticket is not presented. */
  expiresAtMs: number;
}

/**
 * Reads a `sealed:ticket` frame and derives the ticket's secret from the
 * session's resumption secret; `undefined` when the frame is malformed.
 */
export function readTicket(params: {
  crypto: CryptoProvider;
  data: unknown;
  resumptionSecret: Uint8Array;
  serverIdentity: Uint8Array;
  level: SecurityLevel;
  suite: AeadSuite;
  nowMs: number;
}): HeldTicket | undefined {
  const wire = record(params.data);
  if (!wire || typeof wire.ticket !== 'string' || typeof wire.lifetimeMs !== 'number' || !(wire.lifetimeMs > 0)) return undefined;
  const ticket = fromBase64(wire.ticket);
  if (!ticket || ticket.length <= 1 + TICKET_ID_BYTES || ticket[0] !== TICKET_FORMAT) return undefined;
  const id = ticket.subarray(1, 1 + TICKET_ID_BYTES);
  return {
    ticket,
    secret: ticketSecret(params.crypto, params.resumptionSecret, id),
    serverIdentity: params.serverIdentity,
    level: params.level,
    suite: params.suite,
    expiresAtMs: params.nowMs + wire.lifetimeMs,
  };
}

/**
 * Answers a server hello that took the client's ticket: the server must be
 * the one that issued it, at the same level and suite, and its proof must
 * verify over TH_r (so it holds the ticket secret and this exchange). Then
 * the credentials go sealed under the resume finish key, and the channel's
 * keys come from the fresh exchange and the ticket secret together. The
 * ephemeral secret, the ticket secret and the shared secret are zeroed
 * whatever happens.
 */
export async function answerResumedServerHello(params: {
  crypto: CryptoProvider;
  pending: PendingClientHandshake;
  held: HeldTicket;
  reply: unknown;
  credentials: Uint8Array;
  /** The client identity key: bound into SH, as the ticket binds it on the server. */
  clientIdentity: Uint8Array;
  nowMs: number;
  rekey?: RekeyPolicy;
}): Promise<ClientHandshakeResult | { ok: false; code: ClientHandshakeFailure }> {
  const { crypto, pending, held } = params;
  const fail = (code: ClientHandshakeFailure): { ok: false; code: ClientHandshakeFailure } => ({ ok: false, code });
  let shared: Uint8Array | undefined;
  let material: Uint8Array | undefined;
  let key: Uint8Array | undefined;
  try {
    const reply = readResumedServerHello(params.reply);
    if (!reply) return fail('MALFORMED');
    if (reply.level !== pending.level || reply.level !== held.level || reply.suite !== held.suite) return fail('DOWNGRADE');
    if (!pending.suites.includes(reply.suite)) return fail('DOWNGRADE');
    if (!constantTimeEqual(reply.identity, held.serverIdentity)) return fail('SERVER_KEY_MISMATCH');
    if (checkX25519PublicKey(reply.ephemeral)) return fail('INVALID_KEY');

    const transcript = resumeTranscriptHash(
      crypto,
      {
        level: reply.level,
        acceptedLevels: reply.accepted,
        offeredSuites: pending.suites,
        suite: reply.suite,
        timestampMs: pending.timestampMs,
        clientEphemeral: pending.ephemeral.publicKey,
        clientNonce: pending.nonce,
        serverEphemeral: reply.ephemeral,
        serverIdentity: reply.identity,
      },
      held.ticket,
    );
    shared = ephemeralSharedSecret(crypto, pending.ephemeral.secretKey, reply.ephemeral);
    material = resumeKeyMaterial(shared, held.secret);
    const expected = resumeProof(crypto, material, transcript);
    const proved = constantTimeEqual(expected, reply.proof);
    zeroize(expected);
    if (!proved) return fail('BAD_PROOF');

    key = resumeFinishKey(crypto, material, transcript);
    const box = await sealWithSuite(crypto, reply.suite, key, FINISH_NONCE, params.credentials, transcript);
    const session = sessionHash(crypto, transcript, params.clientIdentity, params.credentials);
    const { channel, resumptionSecret } = establishSession({
      crypto,
      sendDirection: Direction.CLIENT_TO_SERVER,
      keyMaterial: material,
      session,
      level: reply.level,
      suite: reply.suite,
      rekey: params.rekey,
      nowMs: params.nowMs,
    });
    return { ok: true, finish: { box: toBase64(box) }, level: reply.level, suite: reply.suite, serverIdentity: reply.identity, channel, resumptionSecret, resumed: true };
  } catch {
    return fail('INVALID_KEY');
  } finally {
    zeroize(pending.ephemeral.secretKey);
    zeroize(held.secret);
    zeroize(shared);
    zeroize(material);
    zeroize(key);
  }
}
