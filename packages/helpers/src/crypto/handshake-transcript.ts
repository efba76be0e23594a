import { AEAD_SUITE_CODES, aeadSuiteMask, type AeadSuite } from './aead-suite.ts';
import { concatBytes, utf8Encode, writeUint64 } from './bytes.ts';
import type { CryptoProvider } from './crypto-provider.ts';
import { SECURITY_LEVEL_CODES, securityLevelMask, type SecurityLevel } from './security-level.ts';

/** The handshake version this code speaks. */
export const HANDSHAKE_VERSION = 2;

/** Domain-separation labels: each signature and derivation says what it is for. */
export const HandshakeLabel = {
  TRANSCRIPT: 'sealed/v2 transcript',
  SESSION: 'sealed/v2 session',
  SERVER_SIGNATURE: 'sealed/v2 server signature',
  CLIENT_SIGNATURE: 'sealed/v2 client signature',
  FINISH_KEY: 'sealed/v2 finish key',
  TRAFFIC_KEYS: 'sealed/v2 traffic keys',
  REKEY: 'sealed/v2 rekey',
  RESUMPTION: 'sealed/v2 resumption',
  TICKET_SECRET: 'sealed/v2 ticket secret',
  TICKET_MASTER: 'sealed/v2 ticket master',
  TICKET_KEY: 'sealed/v2 ticket key',
  TICKET_AAD: 'sealed/v2 ticket',
  RESUME_TRANSCRIPT: 'sealed/v2 resume transcript',
  RESUME_PROOF: 'sealed/v2 resume proof',
  RESUME_FINISH_KEY: 'sealed/v2 resume finish key',
} as const;

const TIMESTAMP_BYTES = 8;

/** What the client hello and the server hello put on the table: everything the server signs. */
export interface TranscriptFields {
  level: SecurityLevel;
  acceptedLevels: readonly SecurityLevel[];
  offeredSuites: readonly AeadSuite[];
  suite: AeadSuite;
  timestampMs: number;
  clientEphemeral: Uint8Array;
  clientNonce: Uint8Array;
  serverEphemeral: Uint8Array;
  serverIdentity: Uint8Array;
}

/**
 * The transcript hash TH: SHA-256 over the label, the version, the level,
 * the accepted levels, the offered suites, the chosen suite, the client's
 * timestamp, both ephemeral keys, the client nonce and the server identity
 * key (exact bytes in docs/protocol.md). The server signs it, the client
 * signs it back, and it salts the key that seals the client's finish.
 */
export function transcriptHash(crypto: CryptoProvider, fields: TranscriptFields): Uint8Array {
  return crypto.sha256(concatBytes(utf8Encode(HandshakeLabel.TRANSCRIPT), transcriptFields(fields)));
}

/**
 * The transcript hash of a resumption, TH_r: SHA-256 over its own label, the
 * same fields as TH, then SHA-256 of the ticket the client presented, so a
 * resumption's keys and proofs belong to that ticket.
 */
export function resumeTranscriptHash(crypto: CryptoProvider, fields: TranscriptFields, ticket: Uint8Array): Uint8Array {
  return crypto.sha256(concatBytes(utf8Encode(HandshakeLabel.RESUME_TRANSCRIPT), transcriptFields(fields), crypto.sha256(ticket)));
}

/** The fields of a transcript, after its label, in their fixed order. */
function transcriptFields(fields: TranscriptFields): Uint8Array {
  const time = new Uint8Array(TIMESTAMP_BYTES);
  writeUint64(time, 0, fields.timestampMs);
  return concatBytes(
    new Uint8Array([
      HANDSHAKE_VERSION,
      SECURITY_LEVEL_CODES[fields.level],
      securityLevelMask(fields.acceptedLevels),
      aeadSuiteMask(fields.offeredSuites),
      AEAD_SUITE_CODES[fields.suite],
    ]),
    time,
    fields.clientEphemeral,
    fields.clientNonce,
    fields.serverEphemeral,
    fields.serverIdentity,
  );
}

/**
 * The session hash SH: SHA-256 over the label, TH, the client identity key
 * and SHA-256 of the credentials bytes. It salts the traffic keys and is
 * bound into every frame, so a connection's frames belong to that client,
 * those credentials and that server.
 */
export function sessionHash(crypto: CryptoProvider, transcript: Uint8Array, clientIdentity: Uint8Array, credentials: Uint8Array): Uint8Array {
  return crypto.sha256(concatBytes(utf8Encode(HandshakeLabel.SESSION), transcript, clientIdentity, crypto.sha256(credentials)));
}

/** What the server signs: the label, then TH. */
export function serverSignedMessage(transcript: Uint8Array): Uint8Array {
  return concatBytes(utf8Encode(HandshakeLabel.SERVER_SIGNATURE), transcript);
}

/** What the client signs in its finish: the label, TH, then SHA-256 of the credentials bytes. */
export function clientSignedMessage(crypto: CryptoProvider, transcript: Uint8Array, credentials: Uint8Array): Uint8Array {
  return concatBytes(utf8Encode(HandshakeLabel.CLIENT_SIGNATURE), transcript, crypto.sha256(credentials));
}
