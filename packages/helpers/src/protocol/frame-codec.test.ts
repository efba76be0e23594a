import { describe, expect, it } from 'vitest';
import { ErrorCode } from './error-codes.ts';
import { decodeTextFrame, encodeFrame, readRoomsPayload } from './frame-codec.ts';

function decodeError(text: string): string | undefined {
  const result = decodeTextFrame(text);
  return result.ok ? undefined : result.code;
}

describe('decodeTextFrame', () => {
  it('decodes an event with data', () => {
    expect(decodeTextFrame('{"event":"chat","data":{"text":"hi"}}')).toEqual({
      ok: true,
      message: { event: 'chat', data: { text: 'hi' } },
    });
  });

  it('decodes an event without data', () => {
    expect(decodeTextFrame('{"event":"heartbeat"}')).toEqual({
      ok: true,
      message: { event: 'heartbeat', data: undefined },
    });
  });

  it.each([
    ['not JSON', '{event', ErrorCode.INVALID_JSON],
    ['JSON null', 'null', ErrorCode.INVALID_FRAME],
    ['an array', '[{"event":"chat"}]', ErrorCode.INVALID_FRAME],
    ['a number', '42', ErrorCode.INVALID_FRAME],
    ['a string', '"chat"', ErrorCode.INVALID_FRAME],
    ['a boolean', 'true', ErrorCode.INVALID_FRAME],
    ['an unknown top-level field', '{"event":"chat","extra":1}', ErrorCode.INVALID_FRAME],
    ['a missing event', '{"data":{}}', ErrorCode.INVALID_EVENT],
    ['a numeric event', '{"event":7}', ErrorCode.INVALID_EVENT],
    ['an empty event', '{"event":""}', ErrorCode.INVALID_EVENT],
    ['an event with a space', '{"event":"a b"}', ErrorCode.INVALID_EVENT],
    ['an event name that is too long', JSON.stringify({ event: 'e'.repeat(129) }), ErrorCode.INVALID_EVENT],
    ['a top-level __proto__ key', '{"event":"chat","__proto__":{"x":1}}', ErrorCode.FORBIDDEN_KEY],
    ['a nested __proto__ key', '{"event":"chat","data":{"a":[{"__proto__":{}}]}}', ErrorCode.FORBIDDEN_KEY],
    ['a nested constructor key', '{"event":"chat","data":{"constructor":{"prototype":1}}}', ErrorCode.FORBIDDEN_KEY],
    ['nesting past the depth limit', `{"event":"chat","data":${'['.repeat(40)}${']'.repeat(40)}}`, ErrorCode.TOO_DEEP],
  ])('rejects %s', (_name, text, code) => {
    expect(decodeError(text)).toBe(code);
  });

  it('survives nesting thousands of levels deep', () => {
    const text = `{"event":"chat","data":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    expect(decodeError(text)).toBe(ErrorCode.TOO_DEEP);
  });

  it('accepts the words __proto__ and constructor inside string values', () => {
    const result = decodeTextFrame('{"event":"chat","data":{"text":"__proto__ constructor"}}');
    expect(result.ok).toBe(true);
  });
});

describe('encodeFrame', () => {
  it('round-trips through decodeTextFrame', () => {
    const text = encodeFrame('chat', { room: 'a', text: 'hello' });
    expect(decodeTextFrame(text)).toEqual({ ok: true, message: { event: 'chat', data: { room: 'a', text: 'hello' } } });
  });

  it('omits data when there is none', () => {
    expect(encodeFrame('heartbeat')).toBe('{"event":"heartbeat"}');
  });

  it('round-trips a request id in both directions', () => {
    const text = encodeFrame('price', { sku: 'a1' }, { ack: 7 });
    expect(text).toBe('{"event":"price","data":{"sku":"a1"},"ack":7}');
    expect(decodeTextFrame(text)).toEqual({ ok: true, message: { event: 'price', data: { sku: 'a1' }, ack: 7 } });
    expect(decodeTextFrame(text, undefined, 'server')).toEqual({ ok: true, message: { event: 'price', data: { sku: 'a1' }, ack: 7 } });
  });

  it.each([0, -3, 1.5, '7', null, 2 ** 53])('refuses the request id %j', (ack) => {
    expect(decodeError(JSON.stringify({ event: 'price', ack }))).toBe(ErrorCode.INVALID_FRAME);
  });
});

describe('readRoomsPayload', () => {
  it('reads an array of room names', () => {
    expect(readRoomsPayload({ rooms: ['a', 'b'] })).toEqual(['a', 'b']);
  });

  it.each([
    ['a missing payload', undefined],
    ['rooms as a string', { rooms: 'a' }],
    ['rooms with a number', { rooms: ['a', 1] }],
    ['an array payload', [['a']]],
  ])('returns undefined for %s', (_name, data) => {
    expect(readRoomsPayload(data)).toBeUndefined();
  });
});
