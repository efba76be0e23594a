import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { ServerEvent, isReservedEventName } from '../protocol/event-names.ts';
import { readRoomPosition, type RoomPosition } from '../protocol/room-position.ts';
import type { DeliveryTarget } from '../server/delivery/delivery-target.ts';

/** Whom an envelope is for: the same targets as a send on one instance. */
export type BusTarget = DeliveryTarget;

/** One message travelling between instances. */
export interface BusEnvelope {
  /** Unique per envelope: a receiver drops one it has seen. Set by `encode`. */
  id?: string;
  /** When it was published, in epoch ms: a receiver drops one older than its window. Set by `encode`. */
  ts?: number;
  /** The instance (or emitter) that published it. */
  origin: string;
  target: BusTarget;
  event: string;
  data: unknown;
  /** Client ids that must not receive it. */
  exclude?: string[];
  /** Its position in its room's history: only on a room target, naming that room. */
  position?: RoomPosition;
}

/** Why an envelope was dropped. */
export type EnvelopeRejection =
  | 'OVERSIZE'
  | 'MALFORMED'
  | 'UNAUTHENTICATED'
  | 'UNKNOWN_VERSION'
  | 'UNKNOWN_TARGET'
  | 'STALE'
  | 'RESERVED_EVENT';

export type EnvelopeDecodeResult = { ok: true; envelope: BusEnvelope } | { ok: false; code: EnvelopeRejection };

export type EnvelopeEncodeResult = { ok: true; payload: string } | { ok: false; code: 'OVERSIZE' };

/** Most UTF-8 bytes one UTF-16 code unit takes. */
const MAX_UTF8_BYTES_PER_CODE_UNIT = 3;

/** The protocol events one instance may relay to another, and the one kind of target each goes to. */
const RELAYED_PROTOCOL_EVENTS: ReadonlyMap<string, DeliveryTarget['kind']> = new Map([
  [ServerEvent.PRESENCE, 'room'],
  [ServerEvent.MLS_WAITING, 'room'],
  [ServerEvent.MLS_COMMIT, 'room'],
  [ServerEvent.MLS_MESSAGE, 'room'],
  [ServerEvent.MLS_WELCOME, 'client'],
]);

/** Whether `payload` takes more than `maxBytes` bytes in UTF-8, as the bus carries it. */
function isOversize(payload: string, maxBytes: number): boolean {
  // Counting bytes walks the string: done only when the length alone cannot tell.
  if (payload.length * MAX_UTF8_BYTES_PER_CODE_UNIT <= maxBytes) return false;
  return payload.length > maxBytes || Buffer.byteLength(payload, 'utf8') > maxBytes;
}

/**
 * Wire format: `v2.<mac>.<body>`, where body is the JSON envelope (with its
 * `id` and `ts`) and mac is base64url HMAC-SHA-256 over the version, the
 * channel and the body, or empty without a secret: an envelope taken from
 * one channel does not verify on another.
 */
const VERSION = 'v2';
const VERSION_PREFIX = `${VERSION}.`;
const MAC_LABEL = 'sealed/bus';
const SEPARATOR = '.';
const HMAC_ALGORITHM = 'sha256';

function mac(secret: string, channel: string, body: string): Buffer {
  return createHmac(HMAC_ALGORITHM, secret).update(`${MAC_LABEL} ${VERSION}\n${channel}\n`).update(body).digest();
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function readTarget(value: unknown): BusTarget | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const target = value as Record<string, unknown>;
  switch (target.kind) {
    case 'room':
      return typeof target.room === 'string' ? { kind: 'room', room: target.room } : undefined;
    case 'user':
      return typeof target.userId === 'string' ? { kind: 'user', userId: target.userId } : undefined;
    case 'client':
      return typeof target.clientId === 'string' ? { kind: 'client', clientId: target.clientId } : undefined;
    case 'all':
      return { kind: 'all' };
    default:
      return undefined;
  }
}

/** Limits of an {@link EnvelopeCodec}. */
export interface EnvelopeCodecInit {
  /** Shared by every instance; without it envelopes are not authenticated. */
  secret: string | undefined;
  /** Largest payload encoded or accepted, in UTF-8 bytes. */
  maxBytes: number;
  /** Oldest (or furthest in the future) an accepted envelope may be, in ms. */
  maxAgeMs: number;
}

/**
 * Encodes and decodes bus envelopes. With a shared secret every envelope is
 * authenticated with HMAC-SHA-256 over its version, channel and body, and
 * envelopes without a valid MAC are refused, so whoever can write to Redis
 * cannot inject events nor move one to another channel. Every envelope
 * carries an id and a time: one outside the age window is refused here, a
 * repeated id by the receiver's duplicate window. Protocol event names
 * (`connected`, `joined`, `error`, ...) never come from the bus.
 */
export class EnvelopeCodec {
  constructor(private readonly init: EnvelopeCodecInit) {}

  /** Encodes an envelope for `channel`; one whose payload would pass `maxBytes` (UTF-8 bytes) is refused, as every receiver would drop it. */
  encode(envelope: BusEnvelope, channel: string, nowMs: number): EnvelopeEncodeResult {
    const body = JSON.stringify({ ...envelope, id: randomUUID(), ts: nowMs });
    const { secret } = this.init;
    const tag = secret === undefined ? '' : mac(secret, channel, body).toString('base64url');
    const payload = `${VERSION_PREFIX}${tag}${SEPARATOR}${body}`;
    if (isOversize(payload, this.init.maxBytes)) return { ok: false, code: 'OVERSIZE' };
    return { ok: true, payload };
  }

  /** Decodes what arrived on `channel`, checking its size, version, MAC, shape, age and event name. */
  decode(payload: string, channel: string, nowMs: number): EnvelopeDecodeResult {
    if (isOversize(payload, this.init.maxBytes)) return { ok: false, code: 'OVERSIZE' };
    if (!payload.startsWith(VERSION_PREFIX)) return { ok: false, code: 'UNKNOWN_VERSION' };
    const tagEnd = payload.indexOf(SEPARATOR, VERSION_PREFIX.length);
    if (tagEnd === -1) return { ok: false, code: 'MALFORMED' };
    const tag = payload.slice(VERSION_PREFIX.length, tagEnd);
    const body = payload.slice(tagEnd + 1);
    const { secret } = this.init;
    if (secret !== undefined) {
      const expected = mac(secret, channel, body);
      const received = Buffer.from(tag, 'base64url');
      if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
        return { ok: false, code: 'UNAUTHENTICATED' };
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return { ok: false, code: 'MALFORMED' };
    }
    if (typeof parsed !== 'object' || parsed === null) return { ok: false, code: 'MALFORMED' };
    const fields = parsed as Record<string, unknown>;
    if (typeof fields.origin !== 'string' || typeof fields.event !== 'string') return { ok: false, code: 'MALFORMED' };
    if (typeof fields.id !== 'string' || typeof fields.ts !== 'number') return { ok: false, code: 'MALFORMED' };
    if (fields.exclude !== undefined && !isStringArray(fields.exclude)) return { ok: false, code: 'MALFORMED' };
    if (Math.abs(nowMs - fields.ts) > this.init.maxAgeMs) return { ok: false, code: 'STALE' };
    // Of the protocol's events, instances relay to each other only what the server itself says to a room or a client.
    const relayedTo = RELAYED_PROTOCOL_EVENTS.get(fields.event);
    const reserved = isReservedEventName(fields.event);
    if (reserved && !relayedTo) return { ok: false, code: 'RESERVED_EVENT' };
    const target = readTarget(fields.target);
    if (!target) return { ok: false, code: 'UNKNOWN_TARGET' };
    if (reserved && target.kind !== relayedTo) return { ok: false, code: 'RESERVED_EVENT' };
    const envelope: BusEnvelope = { id: fields.id, ts: fields.ts, origin: fields.origin, target, event: fields.event, data: fields.data, exclude: fields.exclude };
    if (fields.position !== undefined) {
      const position = readRoomPosition(fields.position);
      if (!position || target.kind !== 'room' || position.room !== target.room) return { ok: false, code: 'MALFORMED' };
      envelope.position = position;
    }
    return { ok: true, envelope };
  }
}
