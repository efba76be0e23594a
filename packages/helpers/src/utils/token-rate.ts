/**
 * Absorbs floating-point rounding, as a share of one token's time: a bucket
 * refilled for exactly the time `n` tokens take holds them, though the sum
 * of their fractional times may land a hair past it, and the further the
 * clock has run, the coarser its milliseconds are. Relative, so that it
 * stays far above the rounding after months of uptime and far below a
 * token at any rate.
 */
const ROUNDING_TOLERANCE_TOKENS = 1e-3;

/**
 * The limits of any number of token buckets (`ratePerSecond` tokens flow
 * in, at most `capacity` are kept) and the arithmetic of one. A bucket is
 * not an object but one number its owner keeps: the time at which it will
 * be full again (the generic cell rate algorithm's theoretical arrival
 * time). A bucket whose time has passed is full, so `0` is a full bucket.
 *
 * Time is passed in, in milliseconds, and must not go backwards: use a
 * monotonic clock such as `performance.now()`, not `Date.now()`.
 */
export class TokenRate {
  readonly #msPerToken: number;
  /** How far ahead of now a bucket's full-again time may be: the time an empty bucket takes to fill. */
  readonly #capacityMs: number;

  constructor(ratePerSecond: number, capacity: number) {
    this.#msPerToken = 1000 / ratePerSecond;
    this.#capacityMs = ((capacity + ROUNDING_TOLERANCE_TOKENS) * 1000) / ratePerSecond;
  }

  /**
   * Takes `amount` tokens (one by default) from the bucket that is full
   * again at `fullAtMs`, if it holds that many at `nowMs`.
   *
   * @returns the bucket's next full-again time, or `undefined` when it holds
   *   fewer than `amount` tokens (the bucket is then unchanged).
   */
  take(fullAtMs: number, nowMs: number, amount = 1): number | undefined {
    const next = Math.max(fullAtMs, nowMs) + amount * this.#msPerToken;
    return next - nowMs > this.#capacityMs ? undefined : next;
  }
}
