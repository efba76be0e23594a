import { AEAD_SUITE_CODES, aeadSuiteMask, type AeadSuite } from './aead-suite.ts';
import { concatBytes, utf8Encode } from './bytes.ts';
import type { CryptoProvider } from './crypto-provider.ts';
import { SECURITY_LEVEL_CODES, securityLevelMask, type SecurityLevel } from './security-level.ts';

/** The handshake version this code speaks. */
export const HANDSHAKE_VERSION = 1;

/** Domain-separation labels: each signature and derivation says what it is for. */
export const HandshakeLabel = {
  TRANSCRIPT: 'sealed/v1 transcript',
  SERVER_SIGNATURE: 'sealed/v1 server signature',
  CLIENT_PROOF: 'sealed/v1 client proof',
  TRAFFIC_KEYS: 'sealed/v1 traffic keys',
  REKEY: 'sealed/v1 rekey',
  CREDENTIALS: 'sealed/v1 credentials',
} as const;

/** Everything both sides agree on by the end of the handshake. */
export interface TranscriptFields {
  level: SecurityLevel;
  acceptedLevels: readonly SecurityLevel[];
  offeredSuites: readonly AeadSuite[];
  suite: AeadSuite;
  clientEphemeral: Uint8Array;
  clientNonce: Uint8Array;
  clientIdentity: Uint8Array;
  serverEphemeral: Uint8Array;
  serverIdentity: Uint8Array;
  clientId: string;
  userId: string;
}

const MAX_TEXT_FIELD_BYTES = 0xffff;

function lengthPrefixed(text: string): Uint8Array {
  const bytes = utf8Encode(text);
  if (bytes.length > MAX_TEXT_FIELD_BYTES) throw new RangeError('Transcript text field too long');
  return concatBytes(new Uint8Array([bytes.length >> 8, bytes.length & 0xff]), bytes);
}

/**
 * The transcript hash TH: SHA-256 over the label, the version, the level, the
 * accepted levels, the offered suites, the chosen suite, both ephemeral keys, the client nonce, both identity keys,
 * the connection id and the user id, in that order (exact bytes in
 * docs/protocol.md). The server signs it; it salts the key derivation and is
 * bound into every frame.
 */
export function transcriptHash(crypto: CryptoProvider, fields: TranscriptFields): Uint8Array {
  return crypto.sha256(
    concatBytes(
      utf8Encode(HandshakeLabel.TRANSCRIPT),
      new Uint8Array([
        HANDSHAKE_VERSION,
        SECURITY_LEVEL_CODES[fields.level],
        securityLevelMask(fields.acceptedLevels),
        aeadSuiteMask(fields.offeredSuites),
        AEAD_SUITE_CODES[fields.suite],
      ]),
      fields.clientEphemeral,
      fields.clientNonce,
      fields.clientIdentity,
      fields.serverEphemeral,
      fields.serverIdentity,
      lengthPrefixed(fields.clientId),
      lengthPrefixed(fields.userId),
    ),
  );
}

/** What the server signs: the label, then TH. */
export function serverSignedMessage(transcript: Uint8Array): Uint8Array {
  return concatBytes(utf8Encode(HandshakeLabel.SERVER_SIGNATURE), transcript);
}

/** What the client signs to prove possession of its identity key, before it knows the server's reply. */
export function clientProofMessage(fields: {
  level: SecurityLevel;
  clientEphemeral: Uint8Array;
  clientNonce: Uint8Array;
  clientIdentity: Uint8Array;
  timestampMs: number;
  suites: readonly AeadSuite[];
}): Uint8Array {
  const time = new Uint8Array(8);
  new DataView(time.buffer).setBigUint64(0, BigInt(fields.timestampMs));
  return concatBytes(
    utf8Encode(HandshakeLabel.CLIENT_PROOF),
    new Uint8Array([HANDSHAKE_VERSION, SECURITY_LEVEL_CODES[fields.level], aeadSuiteMask(fields.suites)]),
    fields.clientEphemeral,
    fields.clientNonce,
    fields.clientIdentity,
    time,
  );
}
