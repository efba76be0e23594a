import { utf8Encode } from '../crypto/bytes.ts';
import { createClientHello, type PendingClientHandshake } from '../crypto/client-handshake.ts';
import type { HeldTicket } from '../crypto/client-resumption.ts';
import { HANDSHAKE_FIELD } from '../crypto/handshake-messages.ts';
import { SecurityLevel } from '../crypto/security-level.ts';
import { ClientEvent } from '../protocol/event-names.ts';
import { encodeFrame } from '../protocol/frame-codec.ts';
import type { ClientConnectionSettings } from './connection-settings.ts';
import { credentialsFailure } from './credentials-source.ts';

/** A connection's `authenticate` frame, and what the handshake keeps until the server's hello. */
export interface AuthenticateFrame {
  /** The frame's text: the credentials at level `none`, the client hello above it. */
  text: string;
  /** Its UTF-8 bytes. */
  bytes: Uint8Array;
  /** Above level `none`: the hello's secrets, for answering the server's hello. */
  pending: PendingClientHandshake | undefined;
  /** Above level `none`: the credentials as UTF-8 JSON, sealed into the finish and never sent beside the hello. */
  credentials: Uint8Array | undefined;
  /** The ticket the hello presents, if any. */
  held: HeldTicket | undefined;
}

/**
 * Makes the `authenticate` frame from the credentials: at level `none` it
 * carries them; above it, a fresh client hello (presenting the newest
 * ticket of the same level, once), the credentials kept for the finish.
 *
 * @throws SealedClientError `CREDENTIALS_FAILED` when the credentials do not serialize (a BigInt, a cycle).
 */
export function authenticateFrame(settings: ClientConnectionSettings, produced: Record<string, unknown>): AuthenticateFrame {
  const none = settings.level === SecurityLevel.NONE;
  let serialized: string;
  try {
    serialized = none ? encodeFrame(ClientEvent.AUTHENTICATE, { ...produced }) : JSON.stringify({ ...produced });
  } catch (cause) {
    throw credentialsFailure(cause);
  }
  if (none) return { text: serialized, bytes: utf8Encode(serialized), pending: undefined, credentials: undefined, held: undefined };
  const credentials = utf8Encode(serialized);
  const taken = settings.takeTicket();
  const held = taken?.level === settings.level ? taken : undefined;
  const { hello, pending } = createClientHello({
    crypto: settings.crypto,
    level: settings.level,
    nowMs: settings.now(),
    suites: settings.suites,
    ticket: held?.ticket,
  });
  const text = encodeFrame(ClientEvent.AUTHENTICATE, { [HANDSHAKE_FIELD]: hello });
  return { text, bytes: utf8Encode(text), pending, credentials, held };
}
