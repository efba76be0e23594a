import { TokenRate } from '../../utils/token-rate.ts';

/** Limits of an {@link AddressRateLimiter}. */
export interface AddressRateLimiterInit {
  /** Tokens each address gets per second. */
  perSecond: number;
  /** Tokens an address may spend at once after being quiet. */
  burst: number;
  /** Most addresses tracked at once; past it the least recently seen is forgotten. */
  maxAddresses: number;
}

/**
 * A token bucket per remote address, in a table of bounded size: each
 * `take` moves the address to the most recent end, and a new address beyond
 * `maxAddresses` pushes out the least recently seen one (which then starts
 * again with a full bucket). The caller passes the time.
 */
export class AddressRateLimiter {
  /** Each address's bucket: when it is full again ({@link TokenRate}). */
  readonly #buckets = new Map<string, number>();
  readonly #rate: TokenRate;

  constructor(private readonly init: AddressRateLimiterInit) {
    this.#rate = new TokenRate(init.perSecond, init.burst);
  }

  /** Addresses tracked now. */
  get size(): number {
    return this.#buckets.size;
  }

  /** Takes one token for `address` at `nowMs` (a monotonic clock's milliseconds); false when its bucket is empty. */
  take(address: string, nowMs: number): boolean {
    let fullAt = this.#buckets.get(address);
    if (fullAt !== undefined) {
      this.#buckets.delete(address);
    } else {
      fullAt = nowMs;
      if (this.#buckets.size >= this.init.maxAddresses) this.#buckets.delete(this.#buckets.keys().next().value!);
    }
    const next = this.#rate.take(fullAt, nowMs);
    this.#buckets.set(address, next ?? fullAt);
    return next !== undefined;
  }
}
