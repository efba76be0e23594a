import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.ts';

describe('TokenBucket', () => {
  it('allows a burst up to its capacity, then refuses', () => {
    const bucket = new TokenBucket(10, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
  });

  it('refills at its rate', () => {
    const bucket = new TokenBucket(10, 1, 0);
    expect(bucket.take(0)).toBe(true);
    expect(bucket.take(50)).toBe(false);
    expect(bucket.take(150)).toBe(true);
  });

  it('never holds more than its capacity', () => {
    const bucket = new TokenBucket(1000, 2, 0);
    const taken = [0, 0, 0].map(() => bucket.take(60_000));
    expect(taken).toEqual([true, true, false]);
  });

  it('takes several tokens at once only when it holds that many, and then takes none', () => {
    const bucket = new TokenBucket(1000, 4096, 0);
    expect(bucket.take(0, 3000)).toBe(true);
    expect(bucket.take(0, 2000)).toBe(false);
    expect(bucket.take(0, 1096)).toBe(true);
    expect(bucket.take(1000, 1000)).toBe(true);
  });
});
