import { describe, expect, it } from 'vitest';
import { AddressRateLimiter } from './address-rate-limiter.ts';

describe('AddressRateLimiter', () => {
  it('gives each address its own burst, then its rate', () => {
    const limiter = new AddressRateLimiter({ perSecond: 2, burst: 3, maxAddresses: 10 });
    expect([1, 2, 3, 4].map(() => limiter.take('a', 0))).toEqual([true, true, true, false]);
    expect(limiter.take('b', 0)).toBe(true);
    expect(limiter.take('a', 499)).toBe(false);
    expect(limiter.take('a', 500)).toBe(true);
  });

  it('tracks at most maxAddresses, forgetting the least recently seen first', () => {
    const limiter = new AddressRateLimiter({ perSecond: 1, burst: 1, maxAddresses: 2 });
    expect(limiter.take('a', 0)).toBe(true);
    expect(limiter.take('b', 0)).toBe(true);
    expect(limiter.take('a', 0)).toBe(false);
    expect(limiter.take('c', 0)).toBe(true);
    expect(limiter.size).toBe(2);
    // b was the least recently seen: forgotten, so it starts again with a full bucket; a is still limited.
    expect(limiter.take('b', 0)).toBe(true);
    expect(limiter.take('c', 0)).toBe(false);
  });
});
