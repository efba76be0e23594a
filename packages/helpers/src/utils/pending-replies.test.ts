import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SealedError } from '../protocol/sealed-error.ts';
import { PendingReplies, type PendingReplyFailure } from './pending-replies.ts';

class Failure extends Error {
  constructor(readonly failure: PendingReplyFailure) {
    super(failure);
  }
}

const TIMEOUT_MS = 1_000;

function pending(capacity = 2): PendingReplies {
  return new PendingReplies(capacity, (failure) => new Failure(failure));
}

describe('PendingReplies', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('hands out increasing ack ids from 1', () => {
    const replies = pending(3);
    expect([replies.open(TIMEOUT_MS).ack, replies.open(TIMEOUT_MS).ack]).toEqual([1, 2]);
  });

  it('resolves a request with the result of its reply, once', async () => {
    const replies = pending();
    const { ack, reply } = replies.open(TIMEOUT_MS);
    expect(replies.settle(ack, { result: { total: 3 } })).toBe(true);
    expect(replies.settle(ack, { result: 'again' })).toBe(false);
    await expect(reply).resolves.toEqual({ total: 3 });
    expect(replies.size).toBe(0);
  });

  it('rejects a request with a SealedError carrying the code and message of an error reply', async () => {
    const replies = pending();
    const { ack, reply } = replies.open(TIMEOUT_MS);
    replies.settle(ack, { error: { code: 'NOT_FOUND', message: 'No such item' } });
    const error = await reply.catch((caught: unknown) => caught);
    expect(SealedError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'NOT_FOUND', message: 'No such item' });
  });

  it('ends a request with REQUEST_TIMEOUT once its timeout passes, and forgets it', async () => {
    const replies = pending();
    const { ack, reply } = replies.open(TIMEOUT_MS);
    const outcome = reply.catch((caught: unknown) => caught);
    vi.advanceTimersByTime(TIMEOUT_MS - 1);
    expect(replies.has(ack)).toBe(true);
    vi.advanceTimersByTime(1);
    expect(await outcome).toMatchObject({ failure: 'REQUEST_TIMEOUT' });
    expect(replies.settle(ack, { result: 'late' })).toBe(false);
  });

  it('refuses a request past its capacity without using an id, and takes one again once a reply came', async () => {
    const replies = pending(1);
    const first = replies.open(TIMEOUT_MS);
    const refused = replies.open(TIMEOUT_MS);
    await expect(refused.reply).rejects.toMatchObject({ failure: 'TOO_MANY_PENDING_REQUESTS' });
    replies.settle(first.ack, {});
    await expect(first.reply).resolves.toBeUndefined();
    expect(replies.open(TIMEOUT_MS).ack).toBe(first.ack + 1);
  });

  it('rejects everything still waiting with the given error and clears the timers', async () => {
    const replies = pending();
    const outcomes = [replies.open(TIMEOUT_MS).reply, replies.open(TIMEOUT_MS).reply].map((reply) => reply.catch((caught: unknown) => caught));
    const gone = new Error('gone');
    replies.rejectAll(gone);
    expect(await Promise.all(outcomes)).toEqual([gone, gone]);
    expect(replies.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
