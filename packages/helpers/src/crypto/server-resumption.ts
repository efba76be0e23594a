import { SERVER_SUITE_PREFERENCE, type AeadSuite } from './aead-suite.ts';
import { toBase64, zeroize } from './bytes.ts';
import { FINISH_NONCE } from './client-finish.ts';
import type { CryptoProvider } from './crypto-provider.ts';
import { checkClientHello, type ServerHelloParams } from './server-handshake.ts';
import { readClientFinish, type ResumedServerHelloWire } from './handshake-messages.ts';
import { HANDSHAKE_VERSION, resumeTranscriptHash, sessionHash } from './handshake-transcript.ts';
import { ephemeralSharedSecret } from './key-schedule.ts';
import type { ReplayStore } from './replay-store.ts';
import { resumeFinishKey, resumeKeyMaterial, resumeProof } from './resumption-schedule.ts';
import type { TicketContents, TicketSealer } from './resumption-ticket.ts';
import { Direction, type RekeyPolicy, type SecureChannel } from './secure-channel.ts';
import { SecurityLevel } from './security-level.ts';
import { establishSession } from './session-keys.ts';
import { openWithSuite } from './suite-aead.ts';

/**
 * Why a ticket was not taken. None of them refuses the client: the server
 * answers with the full handshake instead.
 */
export type TicketRefusal =
  /** The hello carries no ticket (not counted). */
  | 'NO_TICKET'
  /** The hello itself is not one the full handshake would take either. */
  | 'HELLO_REFUSED'
  /** The ticket does not open under this server identity: changed, truncated, or sealed by another identity. */
  | 'TICKET_INVALID'
  | 'TICKET_EXPIRED'
  /** The ticket is for another level, or for a suite the client no longer offers or the server no longer runs. */
  | 'TICKET_MISMATCH'
  /** The ticket was used before (on any instance that shares the replay store). */
  | 'TICKET_REPLAYED'
  /** The replay store could not record the ticket's use. */
  | 'TICKET_STORE_UNAVAILABLE';

/** What the server needs to answer a hello that presents a ticket: what the full handshake needs, and where tickets open and are claimed. */
export interface ResumptionHelloParams extends ServerHelloParams {
  tickets: TicketSealer;
  /** Where each ticket's id is claimed, so a ticket is used once on every instance that shares the store. */
  replayStore: ReplayStore;
}

/** What the server keeps between a resumed hello and the client's finish; hand it to {@link finishResumption} or {@link abandonResumption}. */
export interface PendingResumption {
  readonly level: SecurityLevel;
  readonly suite: AeadSuite;
  readonly transcript: Uint8Array;
  readonly keyMaterial: Uint8Array;
  readonly ticket: TicketContents;
}

/**
 * Answers a hello that presents a resumption ticket: opens the ticket under
 * the server identity, checks its expiry, level and suite against the hello,
 * claims its id (single use), and answers with a fresh ephemeral key and a
 * proof that the server holds the ticket secret, in place of a signature.
 * The client's hello passes the same checks as in the full handshake. Any
 * refusal means: run the full handshake on the same hello.
 */
export async function respondToResumption(
  params: ResumptionHelloParams,
): Promise<{ ok: true; reply: ResumedServerHelloWire; pending: PendingResumption } | { ok: false; code: TicketRefusal }> {
  const refuse = (code: TicketRefusal): { ok: false; code: TicketRefusal } => ({ ok: false, code });
  const { crypto, acceptedLevels } = params;
  const checked = checkClientHello(params);
  if (!checked.ok) return refuse('HELLO_REFUSED');
  const { hello } = checked;
  if (!hello.ticket) return refuse('NO_TICKET');
  const ticket = await params.tickets.open(hello.ticket);
  if (!ticket) return refuse('TICKET_INVALID');
  if (params.nowMs > ticket.expiresAtMs) return discard(ticket, 'TICKET_EXPIRED');
  const serverSuites = params.suites ?? SERVER_SUITE_PREFERENCE;
  if (ticket.level !== hello.level || !hello.suites.includes(ticket.suite) || !serverSuites.includes(ticket.suite)) {
    return discard(ticket, 'TICKET_MISMATCH');
  }
  const claim = await params.replayStore.claim(`ticket:${toBase64(ticket.id)}`, params.nowMs);
  if (claim === 'REPLAYED') return discard(ticket, 'TICKET_REPLAYED');
  if (claim !== 'FRESH') return discard(ticket, 'TICKET_STORE_UNAVAILABLE');

  const ephemeral = crypto.x25519KeyPair();
  let shared: Uint8Array | undefined;
  try {
    const transcript = resumeTranscriptHash(
      crypto,
      {
        level: hello.level,
        acceptedLevels,
        offeredSuites: hello.suites,
        suite: ticket.suite,
        timestampMs: hello.timestampMs,
        clientEphemeral: hello.ephemeral,
        clientNonce: hello.nonce,
        serverEphemeral: ephemeral.publicKey,
        serverIdentity: params.identity.publicKey,
      },
      hello.ticket,
    );
    shared = ephemeralSharedSecret(crypto, ephemeral.secretKey, hello.ephemeral);
    const keyMaterial = resumeKeyMaterial(shared, ticket.secret);
    const proof = resumeProof(crypto, keyMaterial, transcript);
    return {
      ok: true,
      pending: { level: hello.level, suite: ticket.suite, transcript, keyMaterial, ticket },
      reply: {
        v: HANDSHAKE_VERSION,
        level: hello.level,
        accepted: [...acceptedLevels],
        suite: ticket.suite,
        e: toBase64(ephemeral.publicKey),
        id: toBase64(params.identity.publicKey),
        resumed: true,
        proof: toBase64(proof),
      },
    };
  } catch {
    return discard(ticket, 'HELLO_REFUSED');
  } finally {
    zeroize(ephemeral.secretKey);
    zeroize(shared);
  }
}

/** What the server needs to check a resumption's finish. */
export interface ResumptionFinishParams {
  crypto: CryptoProvider;
  pending: PendingResumption;
  /** The data of `sealed:finish`, as received. */
  finish: unknown;
  nowMs: number;
  rekey?: RekeyPolicy;
  onRekey?: () => void;
}

/** A finished resumption: the ticket it came from, the credentials the client sent, and the new channel. */
export interface ResumptionResult {
  ok: true;
  level: SecurityLevel;
  ticket: TicketContents;
  /** The ticket's client identity key, kept beside the session's values. */
  clientIdentity: Uint8Array;
  /** The credentials bytes (UTF-8 JSON) from the finish; not parsed here. */
  credentials: Uint8Array;
  channel: SecureChannel;
  /** What this session's own tickets' secrets come from; the caller zeroes it. */
  resumptionSecret: Uint8Array;
}

/**
 * Checks a resumption's finish: the credentials sealed under the resume
 * finish key, which only the holder of the ticket secret and of the client
 * ephemeral secret can make. The session hash binds the ticket's client
 * identity; the traffic keys come from the fresh exchange and the ticket
 * secret together.
 */
export async function finishResumption(params: ResumptionFinishParams): Promise<ResumptionResult | { ok: false; code: 'BAD_FINISH' }> {
  const { crypto, pending } = params;
  const key = resumeFinishKey(crypto, pending.keyMaterial, pending.transcript);
  try {
    const box = readClientFinish(params.finish);
    const credentials = box && (await openWithSuite(crypto, pending.suite, key, FINISH_NONCE, box, pending.transcript));
    if (!credentials) return { ok: false, code: 'BAD_FINISH' };
    const session = sessionHash(crypto, pending.transcript, pending.ticket.clientIdentity, credentials);
    const { channel, resumptionSecret, peerIdentity } = establishSession({
      crypto,
      sendDirection: Direction.SERVER_TO_CLIENT,
      keyMaterial: pending.keyMaterial,
      session,
      level: pending.level,
      suite: pending.suite,
      rekey: params.rekey,
      onRekey: params.onRekey,
      nowMs: params.nowMs,
      peerIdentity: pending.ticket.clientIdentity,
    });
    return { ok: true, level: pending.level, ticket: pending.ticket, clientIdentity: peerIdentity, credentials, channel, resumptionSecret };
  } catch {
    return { ok: false, code: 'BAD_FINISH' };
  } finally {
    zeroize(key);
    abandonResumption(pending);
  }
}

/** Zeroes what a pending resumption holds. Idempotent. */
export function abandonResumption(pending: PendingResumption): void {
  zeroize(pending.keyMaterial);
  zeroize(pending.ticket.secret);
}

function discard(ticket: TicketContents, code: TicketRefusal): { ok: false; code: TicketRefusal } {
  zeroize(ticket.secret);
  return { ok: false, code };
}
