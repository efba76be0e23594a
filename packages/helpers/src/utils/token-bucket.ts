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

  /** Takes `amount` tokens (one by default) if there are that many; returns whether it did. */
  take(nowMs: number, amount = 1): boolean {
    const elapsedMs = Math.max(0, nowMs - this.#updatedAtMs);
    this.#updatedAtMs = nowMs;
    this.#tokens = Math.min(this.capacity, this.#tokens + (elapsedMs * this.ratePerSecond) / 1000);
    if (this.#tokens < amount) return false;
    this.#tokens -= amount;
    return true;
  }
}
