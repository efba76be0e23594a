import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DeliveryTarget } from '../server/delivery/delivery-target.ts';

/** Whom an envelope is for: the same targets as a send on one instance. */
export type BusTarget = DeliveryTarget;

/** One message travelling between instances. */
export interface BusEnvelope {
  /** The instance (or emitter) that published it. */
  origin: string;
  target: BusTarget;
  event: string;
  data: unknown;
  /** Client ids that must not receive it. */
  exclude?: string[];
}

/** Why an envelope was dropped. */
export type EnvelopeRejection = 'OVERSIZE' | 'MALFORMED' | 'UNAUTHENTICATED' | 'UNKNOWN_VERSION' | 'UNKNOWN_TARGET';

export type EnvelopeDecodeResult = { ok: true; envelope: BusEnvelope } | { ok: false; code: EnvelopeRejection };

export type EnvelopeEncodeResult = { ok: true; payload: string } | { ok: false; code: 'OVERSIZE' };

/** Most UTF-8 bytes one UTF-16 code unit takes. */
const MAX_UTF8_BYTES_PER_CODE_UNIT = 3;

/** Whether `payload` takes more than `maxBytes` bytes in UTF-8, as the bus carries it. */
function isOversize(payload: string, maxBytes: number): boolean {
  // Counting bytes walks the string: done only when the length alone cannot tell.
  if (payload.length * MAX_UTF8_BYTES_PER_CODE_UNIT <= maxBytes) return false;
  return payload.length > maxBytes || Buffer.byteLength(payload, 'utf8') > maxBytes;
}

/** Wire format: `v1.<mac>.<body>`, where body is JSON and mac is base64url HMAC-SHA-256 of the body, or empty. */
const VERSION_PREFIX = 'v1.';
const SEPARATOR = '.';
const HMAC_ALGORITHM = 'sha256';

function mac(secret: string, body: string): Buffer {
  return createHmac(HMAC_ALGORITHM, secret).update(body).digest();
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

/**
 * Encodes and decodes bus envelopes. With a shared secret every envelope is
 * authenticated with HMAC-SHA-256, and envelopes without a valid MAC are
 * refused, so whoever can write to Redis cannot inject events.
 */
export class EnvelopeCodec {
  constructor(
    private readonly secret: string | undefined,
    private readonly maxBytes: number,
  ) {}

  /** Encodes an envelope; one whose payload would pass `maxBytes` (UTF-8 bytes) is refused, as every receiver would drop it. */
  encode(envelope: BusEnvelope): EnvelopeEncodeResult {
    const body = JSON.stringify(envelope);
    const tag = this.secret === undefined ? '' : mac(this.secret, body).toString('base64url');
    const payload = `${VERSION_PREFIX}${tag}${SEPARATOR}${body}`;
    if (isOversize(payload, this.maxBytes)) return { ok: false, code: 'OVERSIZE' };
    return { ok: true, payload };
  }

  decode(payload: string): EnvelopeDecodeResult {
    if (isOversize(payload, this.maxBytes)) return { ok: false, code: 'OVERSIZE' };
    if (!payload.startsWith(VERSION_PREFIX)) return { ok: false, code: 'UNKNOWN_VERSION' };
    const tagEnd = payload.indexOf(SEPARATOR, VERSION_PREFIX.length);
    if (tagEnd === -1) return { ok: false, code: 'MALFORMED' };
    const tag = payload.slice(VERSION_PREFIX.length, tagEnd);
    const body = payload.slice(tagEnd + 1);
    if (this.secret !== undefined) {
      const expected = mac(this.secret, body);
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
    if (fields.exclude !== undefined && !isStringArray(fields.exclude)) return { ok: false, code: 'MALFORMED' };
    const target = readTarget(fields.target);
    if (!target) return { ok: false, code: 'UNKNOWN_TARGET' };
    return {
      ok: true,
      envelope: { origin: fields.origin, target, event: fields.event, data: fields.data, exclude: fields.exclude },
    };
  }
}
