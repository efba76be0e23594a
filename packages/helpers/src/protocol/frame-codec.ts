import { ErrorCode } from './error-codes.ts';
import { readRoomPosition, type RoomPosition } from './room-position.ts';
import { isReplyId } from './request-reply.ts';
import { isPlainObject } from './plain-object.ts';

/**
 * A decoded `{ event, data }` frame. `data` is `undefined` when the frame had
 * none. From the server, a room message of a room that keeps history also
 * has its `position`. A request (an event the sender awaits an answer to)
 * and its `sealed:reply` carry the request's `ack` id.
 */
export interface ProtocolMessage<Data = unknown> {
  event: string;
  data: Data;
  position?: RoomPosition;
  ack?: number;
}

/** What a frame carries besides `event` and `data`. */
export interface FrameExtras {
  /** A room message's position in its room's history. */
  position?: RoomPosition;
  /** The id of the request this frame is, or answers. */
  ack?: number;
}

/** Which side sent a frame: only the server's room messages may carry a `position`. */
export type FrameSender = 'client' | 'server';

/** The outcome of decoding one inbound text frame: a message, or the error code to answer with. */
export type DecodeResult =
  | { ok: true; message: ProtocolMessage }
  | { ok: false; code: ErrorCode; reason: string };

/** Structural limits applied while decoding a frame. */
export interface FrameLimits {
  /** Longest accepted event name, in UTF-16 code units. */
  maxEventNameLength: number;
  /** Deepest accepted nesting of objects and arrays; the frame itself is depth 1. */
  maxDepth: number;
}

/** Default {@link FrameLimits}. */
export const FRAME_LIMIT_DEFAULTS: Readonly<FrameLimits> = Object.freeze({
  maxEventNameLength: 128,
  maxDepth: 32,
});

/** Event names are visible ASCII: no spaces, no control characters. */
const EVENT_NAME_PATTERN = /^[\x21-\x7e]+$/;

/** Keys that let a payload reach an object's prototype once it is merged or spread. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const CLIENT_FRAME_KEYS: ReadonlySet<string> = new Set(['event', 'data', 'ack']);
const SERVER_FRAME_KEYS: ReadonlySet<string> = new Set(['event', 'data', 'position', 'ack']);

function fail(code: ErrorCode, reason: string): DecodeResult {
  return { ok: false, code, reason };
}

/**
 * Walks a parsed JSON value and reports the first forbidden key or excess
 * depth. The recursion is bounded: it never goes below `maxDepth + 1`, where
 * a nested object or array is refused at once, however deep a hostile frame
 * nests. Allocates nothing for a frame that passes.
 */
function checkStructure(value: unknown, depth: number, maxDepth: number): DecodeResult | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth > maxDepth) return fail(ErrorCode.TOO_DEEP, `Frame nests deeper than ${maxDepth} levels`);
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = checkStructure(item, depth + 1, maxDepth);
      if (problem) return problem;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return fail(ErrorCode.FORBIDDEN_KEY, `Key "${key}" is not allowed`);
    const problem = checkStructure((value as Record<string, unknown>)[key], depth + 1, maxDepth);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Decodes one inbound text frame into `{ event, data }`, validating its
 * structure. Pure: never throws, never logs.
 *
 * @example
 * const result = decodeTextFrame('{"event":"join","data":{"rooms":["a"]}}');
 * if (result.ok) console.log(result.message.event); // 'join'
 */
export function decodeTextFrame(text: string, limits: FrameLimits = FRAME_LIMIT_DEFAULTS, sender: FrameSender = 'client'): DecodeResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail(ErrorCode.INVALID_JSON, 'Frame is not valid JSON');
  }
  return validateFrame(parsed, limits, sender);
}

/**
 * Validates an already parsed frame (for example one a transformer
 * decrypted) with the same rules as {@link decodeTextFrame}.
 */
export function validateFrame(parsed: unknown, limits: FrameLimits = FRAME_LIMIT_DEFAULTS, sender: FrameSender = 'client'): DecodeResult {
  if (!isPlainObject(parsed)) return fail(ErrorCode.INVALID_FRAME, 'Frame must be a JSON object');

  const structureError = checkStructure(parsed, 1, limits.maxDepth);
  if (structureError) return structureError;

  const allowed = sender === 'server' ? SERVER_FRAME_KEYS : CLIENT_FRAME_KEYS;
  for (const key of Object.keys(parsed)) {
    if (!allowed.has(key)) return fail(ErrorCode.INVALID_FRAME, `Unknown frame field "${key}"`);
  }

  const { event, data } = parsed;
  if (typeof event !== 'string') return fail(ErrorCode.INVALID_EVENT, 'Field "event" must be a string');
  if (event.length === 0 || event.length > limits.maxEventNameLength || !EVENT_NAME_PATTERN.test(event)) {
    return fail(
      ErrorCode.INVALID_EVENT,
      `Field "event" must be 1-${limits.maxEventNameLength} visible ASCII characters`,
    );
  }
  const message: ProtocolMessage = { event, data };
  if (parsed.ack !== undefined) {
    if (!isReplyId(parsed.ack)) return fail(ErrorCode.INVALID_FRAME, 'Field "ack" must be an integer from 1 to 2^53 - 1');
    message.ack = parsed.ack;
  }
  if (parsed.position === undefined) return { ok: true, message };
  const position = readRoomPosition(parsed.position);
  if (!position) return fail(ErrorCode.INVALID_FRAME, 'Field "position" must be { room, offset, epoch }');
  message.position = position;
  return { ok: true, message };
}

/**
 * Encodes an outbound `{ event, data }` frame as JSON text, with the room
 * message's `position` and the request's `ack` id when it has them.
 */
export function encodeFrame(event: string, data?: unknown, extras?: FrameExtras): string {
  const frame: Record<string, unknown> = { event };
  if (data !== undefined) frame.data = data;
  if (extras?.position !== undefined) frame.position = extras.position;
  if (extras?.ack !== undefined) frame.ack = extras.ack;
  return JSON.stringify(frame);
}

/**
 * Reads `{ rooms: string[] }`, the payload of `join` and `leave`.
 *
 * @returns the room names, or `undefined` when the payload has another shape.
 */
export function readRoomsPayload(data: unknown): string[] | undefined {
  if (!isPlainObject(data)) return undefined;
  const { rooms } = data;
  if (!Array.isArray(rooms) || !rooms.every((room) => typeof room === 'string')) return undefined;
  return rooms as string[];
}
