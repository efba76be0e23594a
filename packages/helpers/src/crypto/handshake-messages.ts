import { isAeadSuite, type AeadSuite } from './aead-suite.ts';
import { fromBase64 } from './bytes.ts';
import { CryptoSizes } from './crypto-provider.ts';
import { HANDSHAKE_VERSION, clientProofMessage } from './handshake-transcript.ts';
import { isSecurityLevel, type SecurityLevel } from './security-level.ts';

/** Bytes of the client's handshake nonce. */
export const CLIENT_NONCE_BYTES = 32;

/** The field of the `authenticate` payload and of the `connected` reply that carries the handshake. */
export const HANDSHAKE_FIELD = 'sealed';

/** The client's half of the handshake, sent inside `authenticate` as `data.sealed`. */
export interface ClientHelloWire {
  v: number;
  level: SecurityLevel;
  /** Client ephemeral X25519 public key, base64. */
  e: string;
  /** 32 random bytes, base64. */
  n: string;
  /** Client identity Ed25519 public key, base64. */
  id: string;
  /** Client clock, ms since the epoch. */
  ts: number;
  /** Ed25519 signature of the client proof, base64. */
  sig: string;
  /** The AEADs the client can run, in its order of preference. */
  suites: AeadSuite[];
  /** Optional: the `authenticate` credentials sealed to the server identity key, base64 (see `sealHelloCredentials`). */
  c?: string;
}

/** The server's half, sent inside `connected` as `data.sealed`. */
export interface ServerHelloWire {
  v: number;
  level: SecurityLevel;
  accepted: SecurityLevel[];
  /** The AEAD the server chose from the client's offer (levels above `none`). */
  suite?: AeadSuite;
  /** Server ephemeral X25519 public key, base64 (levels above `none`). */
  e?: string;
  /** Server identity Ed25519 public key, base64 (levels above `none`). */
  id?: string;
  /** Ed25519 signature of the transcript, base64 (levels above `none`). */
  sig?: string;
}

/** A client hello with its fields decoded and their sizes checked. */
export interface ClientHello {
  version: number;
  level: SecurityLevel;
  ephemeral: Uint8Array;
  nonce: Uint8Array;
  identity: Uint8Array;
  timestampMs: number;
  signature: Uint8Array;
  suites: AeadSuite[];
  /** Sealed credentials (ciphertext and tag), when the client sent them. */
  credentials?: Uint8Array;
}

/** A server hello with its fields decoded and their sizes checked. */
export interface ServerHello {
  version: number;
  level: SecurityLevel;
  accepted: SecurityLevel[];
  suite?: AeadSuite;
  ephemeral?: Uint8Array;
  identity?: Uint8Array;
  signature?: Uint8Array;
}

/** `value` as a plain JSON object, or `undefined` for anything else (arrays included). */
export function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The hello inside an `authenticate` payload (`data.sealed`), as received; `undefined` when absent. */
export function helloField(data: unknown): unknown {
  return record(data)?.[HANDSHAKE_FIELD];
}

/** Whether a hello's timestamp is within `maxClockSkewMs` of `nowMs`, either side. */
export function isFreshHello(hello: ClientHello, nowMs: number, maxClockSkewMs: number): boolean {
  return Math.abs(nowMs - hello.timestampMs) <= maxClockSkewMs;
}

function bytesField(value: unknown, length: number): Uint8Array | undefined {
  if (typeof value !== 'string') return undefined;
  const bytes = fromBase64(value);
  return bytes?.length === length ? bytes : undefined;
}

/** Decodes `data.sealed` of an `authenticate` payload; `undefined` when it is malformed. */
export function readClientHello(value: unknown): ClientHello | undefined {
  const wire = record(value);
  if (!wire || typeof wire.v !== 'number' || !isSecurityLevel(wire.level)) return undefined;
  const ephemeral = bytesField(wire.e, CryptoSizes.X25519_KEY_BYTES);
  const nonce = bytesField(wire.n, CLIENT_NONCE_BYTES);
  const identity = bytesField(wire.id, CryptoSizes.ED25519_KEY_BYTES);
  const signature = bytesField(wire.sig, CryptoSizes.ED25519_SIGNATURE_BYTES);
  if (!ephemeral || !nonce || !identity || !signature) return undefined;
  if (typeof wire.ts !== 'number' || !Number.isSafeInteger(wire.ts) || wire.ts < 0) return undefined;
  const suites = readSuites(wire.suites);
  if (!suites) return undefined;
  const hello: ClientHello = { version: wire.v, level: wire.level, ephemeral, nonce, identity, timestampMs: wire.ts, signature, suites };
  if (wire.c === undefined) return hello;
  const credentials = typeof wire.c === 'string' ? fromBase64(wire.c) : undefined;
  if (!credentials || credentials.length < CryptoSizes.GCM_TAG_BYTES) return undefined;
  return { ...hello, credentials };
}

/** The client proof a hello's signature covers, rebuilt from its fields. */
export function proofOf(hello: ClientHello): Uint8Array {
  return clientProofMessage({
    level: hello.level,
    clientEphemeral: hello.ephemeral,
    clientNonce: hello.nonce,
    clientIdentity: hello.identity,
    timestampMs: hello.timestampMs,
    suites: hello.suites,
  });
}

/** Decodes `data.sealed` of a `connected` reply; `undefined` when it is malformed. */
export function readServerHello(value: unknown): ServerHello | undefined {
  const wire = record(value);
  if (!wire || wire.v !== HANDSHAKE_VERSION || !isSecurityLevel(wire.level)) return undefined;
  if (!Array.isArray(wire.accepted) || !wire.accepted.every(isSecurityLevel)) return undefined;
  const hello: ServerHello = { version: wire.v, level: wire.level, accepted: wire.accepted };
  if (wire.level === 'none') return hello;
  const ephemeral = bytesField(wire.e, CryptoSizes.X25519_KEY_BYTES);
  const identity = bytesField(wire.id, CryptoSizes.ED25519_KEY_BYTES);
  const signature = bytesField(wire.sig, CryptoSizes.ED25519_SIGNATURE_BYTES);
  if (!ephemeral || !identity || !signature || !isAeadSuite(wire.suite)) return undefined;
  return { ...hello, suite: wire.suite, ephemeral, identity, signature };
}

/** A non-empty list of known suites without repeats; `undefined` otherwise. */
function readSuites(value: unknown): AeadSuite[] | undefined {
  if (!Array.isArray(value) || value.length === 0 || !value.every(isAeadSuite)) return undefined;
  return new Set(value).size === value.length ? value : undefined;
}
