import { describe, expect, it } from 'vitest';
import { isReplyId, readReply, replyWithError, replyWithResult } from './request-reply.ts';

describe('readReply', () => {
  it('reads a result, an empty reply and an error', () => {
    expect(readReply({ result: [1, 2] })).toEqual({ result: [1, 2] });
    expect(readReply({})).toEqual({});
    expect(readReply({ error: { code: 'NOT_FOUND', message: 'No such item' } })).toEqual({ error: { code: 'NOT_FOUND', message: 'No such item' } });
  });

  it.each([
    ['not an object', 'ok'],
    ['an array', [1]],
    ['null', null],
    ['both a result and an error', { result: 1, error: { code: 'X', message: 'x' } }],
    ['another key', { value: 1 }],
    ['an error without a message', { error: { code: 'X' } }],
    ['an error with an empty code', { error: { code: '', message: 'x' } }],
    ['an error that is a string', { error: 'X' }],
  ])('refuses %s', (_name, data) => {
    expect(readReply(data)).toBeUndefined();
  });

  it('reads back what replyWithResult and replyWithError write', () => {
    expect(readReply(replyWithResult(undefined))).toEqual({});
    expect(readReply(replyWithResult(0))).toEqual({ result: 0 });
    expect(readReply(replyWithError('HANDLER_FAILED', 'failed'))).toEqual({ error: { code: 'HANDLER_FAILED', message: 'failed' } });
  });
});

describe('isReplyId', () => {
  it('accepts integers from 1 to 2^53 - 1 only', () => {
    expect([1, 7, Number.MAX_SAFE_INTEGER].every(isReplyId)).toBe(true);
    expect([0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, '1', null, Number.NaN].some(isReplyId)).toBe(false);
  });
});
