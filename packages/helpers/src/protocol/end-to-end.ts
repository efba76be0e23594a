import { fromBase64 } from '../crypto/bytes.ts';
import { isPlainObject } from './plain-object.ts';

/**
 * The wire of end-to-end rooms: rooms whose messages are MLS (RFC 9420)
 * ciphertext the server relays without reading, with the server as the
 * group's Delivery Service. Every client-to-server event here is a request
 * (it carries `ack`) and is answered with `sealed:reply`. MLS messages
 * travel as standard base64 of their TLS encoding (an `MLSMessage`).
 */

/** One device of a user, as end-to-end rooms name it: `device` is its identity public key, base64. */
export interface RoomDevice {
  readonly userId: string;
  readonly device: string;
}

/** `sealed:mls:publish`: KeyPackages of the sending device, and optionally its last-resort one (never consumed). */
export interface PublishKeyPackagesRequest {
  readonly keyPackages: readonly Uint8Array[];
  readonly lastResort: Uint8Array | undefined;
}

/** `sealed:mls:claim`: one KeyPackage of a device waiting to be added to `room`. */
export interface ClaimKeyPackageRequest {
  readonly room: string;
  readonly device: string;
}

/** `sealed:mls:commit`: a commit made at `epoch`, and the Welcome for the devices it adds. */
export interface CommitRequest {
  readonly room: string;
  readonly epoch: number;
  readonly commit: Uint8Array;
  readonly welcome: Uint8Array | undefined;
  /** `commit` and `welcome` as the client sent them (canonical base64, so what the server stores and relays). */
  readonly commitText: string;
  readonly welcomeText: string | undefined;
}

/** `sealed:mls:log`: the commits accepted from `since` (an epoch) on. */
export interface LogRequest {
  readonly room: string;
  readonly since: number;
}

/** `sealed:mls:send`: an MLS application message for the room's members, bound to `event`. */
export interface SendRequest {
  readonly room: string;
  readonly event: string;
  readonly message: Uint8Array;
  /** `message` as the client sent it (canonical base64, so what the server relays). */
  readonly messageText: string;
}

/** A commit the server accepted: the one of its epoch. */
export interface LoggedCommit {
  /** The epoch the commit was made in; the group is at `epoch + 1` after it. */
  readonly epoch: number;
  readonly commit: string;
  /** The Welcome for the devices it added, if it added any. */
  readonly welcome?: string;
  /** The devices it added. */
  readonly added: readonly string[];
}

/** A non-empty base64 field of at most `maxBytes` decoded bytes. */
function bytesField(value: unknown, maxBytes: number): Uint8Array | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > Math.ceil(maxBytes / 3) * 4) return undefined;
  return fromBase64(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function epochField(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** Reads `{ keyPackages: string[], lastResort?: string }`; at most `maxCount` packages of at most `maxBytes` each. */
export function readPublishRequest(data: unknown, maxCount: number, maxBytes: number): PublishKeyPackagesRequest | undefined {
  if (!isPlainObject(data) || !Array.isArray(data.keyPackages) || data.keyPackages.length > maxCount) return undefined;
  const keyPackages: Uint8Array[] = [];
  for (const text of data.keyPackages) {
    const bytes = bytesField(text, maxBytes);
    if (!bytes) return undefined;
    keyPackages.push(bytes);
  }
  const lastResort = data.lastResort === undefined ? undefined : bytesField(data.lastResort, maxBytes);
  if (data.lastResort !== undefined && !lastResort) return undefined;
  if (keyPackages.length === 0 && !lastResort) return undefined;
  return { keyPackages, lastResort };
}

/** Reads `{ room, device }`. */
export function readClaimRequest(data: unknown): ClaimKeyPackageRequest | undefined {
  if (!isPlainObject(data) || !nonEmptyString(data.room) || !nonEmptyString(data.device)) return undefined;
  return { room: data.room, device: data.device };
}

/** Reads `{ room, epoch, commit, welcome? }`. */
export function readCommitRequest(data: unknown, maxBytes: number): CommitRequest | undefined {
  if (!isPlainObject(data) || !nonEmptyString(data.room) || !epochField(data.epoch)) return undefined;
  const commit = bytesField(data.commit, maxBytes);
  const welcome = data.welcome === undefined ? undefined : bytesField(data.welcome, maxBytes);
  if (!commit || (data.welcome !== undefined && !welcome)) return undefined;
  return { room: data.room, epoch: data.epoch, commit, welcome, commitText: data.commit as string, welcomeText: data.welcome as string | undefined };
}

/** Reads `{ room, since }`. */
export function readLogRequest(data: unknown): LogRequest | undefined {
  if (!isPlainObject(data) || !nonEmptyString(data.room) || !epochField(data.since)) return undefined;
  return { room: data.room, since: data.since };
}

/** Reads `{ room, event, message }`. */
export function readSendRequest(data: unknown, maxEventNameLength: number, maxBytes: number): SendRequest | undefined {
  if (!isPlainObject(data) || !nonEmptyString(data.room) || !nonEmptyString(data.event) || data.event.length > maxEventNameLength) return undefined;
  const message = bytesField(data.message, maxBytes);
  if (!message) return undefined;
  return { room: data.room, event: data.event, message, messageText: data.message as string };
}

/** Reads `{ room }`. */
export function readRoomRequest(data: unknown): string | undefined {
  return isPlainObject(data) && nonEmptyString(data.room) ? data.room : undefined;
}
