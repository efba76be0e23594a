import { describe, expect, it } from 'vitest';
import { TokenRate } from './token-rate.ts';

/** Takes from one bucket at each time in turn, keeping its state; whether each take succeeded. */
function takes(rate: TokenRate, steps: ReadonlyArray<readonly [nowMs: number, amount?: number]>): boolean[] {
  let bucket = 0;
  return steps.map(([nowMs, amount]) => {
    const next = rate.take(bucket, nowMs, amount);
    if (next === undefined) return false;
    bucket = next;
    return true;
  });
}

describe('TokenRate', () => {
  it('allows a burst up to its capacity, then refuses', () => {
    expect(takes(new TokenRate(10, 3), [[0], [0], [0], [0]])).toEqual([true, true, true, false]);
  });

  it('refills at its rate', () => {
    expect(takes(new TokenRate(10, 1), [[0], [50], [150]])).toEqual([true, false, true]);
  });

  it('never holds more than its capacity', () => {
    expect(takes(new TokenRate(1000, 2), [[60_000], [60_000], [60_000]])).toEqual([true, true, false]);
  });

  it('takes several tokens at once only when it holds that many, and then takes none', () => {
    expect(takes(new TokenRate(1000, 4096), [[0, 3000], [0, 2000], [0, 1096], [1000, 1000]])).toEqual([true, false, true, true]);
  });

  it('refuses more tokens than its capacity even when full', () => {
    expect(takes(new TokenRate(1000, 10), [[0, 11]])).toEqual([false]);
  });

  it('holds every token of its capacity at a rate whose token time is not a whole number of milliseconds', () => {
    const rate = new TokenRate(30, 3);
    expect(takes(rate, [[0], [0], [0], [0]])).toEqual([true, true, true, false]);
    // Refilled for exactly three tokens' time after the first take.
    expect(takes(rate, [[0], [0], [0], [100], [100], [100]])).toEqual([true, true, true, true, true, true]);
  });

  it('holds its whole capacity after months of uptime, when the clock\'s milliseconds are coarse', () => {
    const hundredDaysMs = 100 * 24 * 60 * 60 * 1000;
    for (const [rate, capacity] of [
      [7, 200],
      [60, 100],
      [30, 3],
      [3, 10],
    ] as const) {
      const steps = Array.from({ length: capacity + 1 }, () => [hundredDaysMs] as const);
      const taken = takes(new TokenRate(rate, capacity), steps);
      expect(taken.filter(Boolean)).toHaveLength(capacity);
      expect(taken.at(-1)).toBe(false);
    }
  });

  it('leaves a bucket unchanged when it refuses', () => {
    const rate = new TokenRate(10, 1);
    const full = rate.take(0, 0)!;
    expect(rate.take(full, 50)).toBeUndefined();
    expect(rate.take(full, 100)).toBe(200);
  });
});
