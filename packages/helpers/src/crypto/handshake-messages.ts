import { isAeadSuite, type AeadSuite } from './aead-suite.ts';
import { fromBase64 } from './bytes.ts';
import { CryptoSizes } from './crypto-provider.ts';
import { HANDSHAKE_VERSION } from './handshake-transcript.ts';
import { isSecurityLevel, type SecurityLevel } from './security-level.ts';

/** Bytes of the client's handshake nonce. */
export const CLIENT_NONCE_BYTES = 32;

/** The field of the `authenticate` payload (and of `connected` at level `none`) that carries the handshake. */
export const HANDSHAKE_FIELD = 'sealed';

/** Message 1, the client's hello: the whole `authenticate` payload is `{ sealed: <this> }`. */
export interface ClientHelloWire {
  v: number;
  level: SecurityLevel;
  /** Client ephemeral X25519 public key, base64. */
  e: string;
  /** 32 random bytes, base64. */
  n: string;
  /** Client clock, ms since the epoch. */
  ts: number;
  /** The AEADs the client can run, in its order of preference. */
  suites: AeadSuite[];
  /** A resumption ticket from an earlier connection, base64; absent for a full handshake. */
  ticket?: string;
}

/** What both kinds of server hello (message 2) hold. */
interface ServerHelloCommonWire {
  v: number;
  level: SecurityLevel;
  accepted: SecurityLevel[];
  /** The AEAD the server chose from the client's offer. */
  suite: AeadSuite;
  /** Server ephemeral X25519 public key, base64. */
  e: string;
  /** Server identity Ed25519 public key, base64. */
  id: string;
}

/** Message 2, the server's hello: the data of `sealed:handshake`. */
export interface ServerHelloWire extends ServerHelloCommonWire {
  /** Ed25519 signature of the transcript, base64. */
  sig: string;
}

/** Message 2 of a resumption: the data of `sealed:handshake` when the server took the client's ticket. */
export interface ResumedServerHelloWire extends ServerHelloCommonWire {
  resumed: true;
  /** Proof that the server opened the ticket (HKDF of the exchange and the ticket secret over TH_r), base64. */
  proof: string;
}

/** Message 3, the client's finish: the data of `sealed:finish`. */
export interface ClientFinishWire {
  /** The sealed finish box (client identity, its signature, the credentials), base64. */
  box: string;
}

/** What a server at level `none` merges into `connected` as `sealed`. */
export interface PlaintextReplyWire {
  v: number;
  level: 'none';
  accepted: SecurityLevel[];
}

/** A client hello with its fields decoded and their sizes checked. */
export interface ClientHello {
  version: number;
  level: SecurityLevel;
  ephemeral: Uint8Array;
  nonce: Uint8Array;
  timestampMs: number;
  suites: AeadSuite[];
  /** The ticket the client presented; empty when the field is there but not base64 (such a ticket never opens). */
  ticket: Uint8Array | undefined;
}

/** What both kinds of server hello hold, decoded and with their sizes checked. */
interface ServerHelloCommon {
  level: SecurityLevel;
  accepted: SecurityLevel[];
  suite: AeadSuite;
  ephemeral: Uint8Array;
  identity: Uint8Array;
}

/** A server hello with its fields decoded and their sizes checked. */
export interface ServerHello extends ServerHelloCommon {
  signature: Uint8Array;
}

/** A resumed server hello with its fields decoded and their sizes checked. */
export interface ResumedServerHello extends ServerHelloCommon {
  proof: Uint8Array;
}

/** `value` as a plain JSON object, or `undefined` for anything else (arrays included). */
export function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The hello inside an `authenticate` payload (`data.sealed`), as received; `undefined` when absent. */
export function helloField(data: unknown): unknown {
  return record(data)?.[HANDSHAKE_FIELD];
}

/** Whether an `authenticate` payload holds the hello and nothing else (credentials travel in the finish, never beside the hello). */
export function isHelloOnly(data: unknown): boolean {
  const fields = record(data);
  return fields !== undefined && Object.keys(fields).length === 1 && fields[HANDSHAKE_FIELD] !== undefined;
}

/** Whether a hello (`data.sealed`, as received) has a `ticket` field, usable or not. */
export function presentsTicket(hello: unknown): boolean {
  return record(hello)?.ticket !== undefined;
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
  if (!ephemeral || !nonce) return undefined;
  if (typeof wire.ts !== 'number' || !Number.isSafeInteger(wire.ts) || wire.ts < 0) return undefined;
  const suites = readSuites(wire.suites);
  if (!suites) return undefined;
  const ticket = wire.ticket === undefined ? undefined : ((typeof wire.ticket === 'string' ? fromBase64(wire.ticket) : undefined) ?? new Uint8Array(0));
  return { version: wire.v, level: wire.level, ephemeral, nonce, timestampMs: wire.ts, suites, ticket };
}

/** Decodes the data of `sealed:handshake`; `undefined` when it is malformed or of another version. */
export function readServerHello(value: unknown): ServerHello | undefined {
  const wire = record(value);
  const common = wire && readServerHelloCommon(wire);
  const signature = wire && bytesField(wire.sig, CryptoSizes.ED25519_SIGNATURE_BYTES);
  return common && signature ? { ...common, signature } : undefined;
}

/** Whether the data of `sealed:handshake` says the server took the client's ticket. */
export function isResumedServerHello(value: unknown): boolean {
  return record(value)?.resumed === true;
}

/** Decodes the data of a resumed `sealed:handshake`; `undefined` when it is malformed or of another version. */
export function readResumedServerHello(value: unknown): ResumedServerHello | undefined {
  const wire = record(value);
  if (wire?.resumed !== true) return undefined;
  const common = readServerHelloCommon(wire);
  const proof = bytesField(wire.proof, CryptoSizes.AES256_KEY_BYTES);
  return common && proof ? { ...common, proof } : undefined;
}

/** The fields both kinds of server hello hold; `undefined` when one is malformed or the version is another. */
function readServerHelloCommon(wire: Record<string, unknown>): ServerHelloCommon | undefined {
  if (wire.v !== HANDSHAKE_VERSION || !isSecurityLevel(wire.level)) return undefined;
  if (!Array.isArray(wire.accepted) || !wire.accepted.every(isSecurityLevel)) return undefined;
  const ephemeral = bytesField(wire.e, CryptoSizes.X25519_KEY_BYTES);
  const identity = bytesField(wire.id, CryptoSizes.ED25519_KEY_BYTES);
  if (!ephemeral || !identity || !isAeadSuite(wire.suite)) return undefined;
  return { level: wire.level, accepted: wire.accepted, suite: wire.suite, ephemeral, identity };
}

/** Decodes the data of `sealed:finish` to the sealed box; `undefined` when it is malformed. */
export function readClientFinish(value: unknown): Uint8Array | undefined {
  const wire = record(value);
  if (!wire || Object.keys(wire).length !== 1 || typeof wire.box !== 'string') return undefined;
  const box = fromBase64(wire.box);
  return box && box.length >= CryptoSizes.GCM_TAG_BYTES ? box : undefined;
}

/** A non-empty list of known suites without repeats; `undefined` otherwise. */
function readSuites(value: unknown): AeadSuite[] | undefined {
  if (!Array.isArray(value) || value.length === 0 || !value.every(isAeadSuite)) return undefined;
  return new Set(value).size === value.length ? value : undefined;
}
