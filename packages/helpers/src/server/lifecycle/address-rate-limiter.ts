import { TokenBucket } from '../../utils/token-bucket.ts';

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
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(private readonly init: AddressRateLimiterInit) {}

  /** Addresses tracked now. */
  get size(): number {
    return this.#buckets.size;
  }

  /** Takes one token for `address`; false when its bucket is empty. */
  take(address: string, nowMs: number): boolean {
    let bucket = this.#buckets.get(address);
    if (bucket) {
      this.#buckets.delete(address);
    } else {
      bucket = new TokenBucket(this.init.perSecond, this.init.burst, nowMs);
      if (this.#buckets.size >= this.init.maxAddresses) this.#buckets.delete(this.#buckets.keys().next().value!);
    }
    this.#buckets.set(address, bucket);
    return bucket.take(nowMs);
  }
}
