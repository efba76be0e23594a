/**
 * A token bucket: `ratePerSecond` tokens flow in, at most `capacity` are kept.
 * Time is passed in, so the bucket is pure and testable without clocks.
 */
export class TokenBucket {
  #tokens: number;
  #updatedAtMs: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number,
    nowMs: number,
  ) {
    this.#tokens = capacity;
    this.#updatedAtMs = nowMs;
  }

  /** Takes one token if there is one; returns whether it did. */
  take(nowMs: number): boolean {
    const elapsedMs = Math.max(0, nowMs - this.#updatedAtMs);
    this.#updatedAtMs = nowMs;
    this.#tokens = Math.min(this.capacity, this.#tokens + (elapsedMs * this.ratePerSecond) / 1000);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
