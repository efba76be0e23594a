import type { ValueOrPromise } from '../types/value-or-promise.ts';

/** What claiming a handshake nonce found. */
export type ReplayClaim = 'FRESH' | 'REPLAYED' | 'UNAVAILABLE';

/**
 * Where handshake nonces are remembered for the freshness window, so a
 * client finish is accepted once. A store shared by every instance (Redis
 * `SET NX` with the window as expiry) refuses a replay to any of them; one in
 * memory refuses it on this process. A store that cannot answer, or is
 * full, says `UNAVAILABLE` and the handshake is refused: it never forgets
 * a nonce early.
 */
export interface ReplayStore {
  /** Records `nonce` (base64) for the window; `REPLAYED` when it is already there. */
  claim(nonce: string, nowMs: number): ValueOrPromise<ReplayClaim>;
}

/**
 * A {@link ReplayStore} in a Map, for one process. Holds at most
 * `maxEntries` unexpired nonces; past that it answers `UNAVAILABLE` until
 * some expire, so a flood of handshakes cannot push a nonce out early.
 * The caller passes the time.
 */
export class InMemoryReplayStore implements ReplayStore {
  readonly #expiries = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries: number,
  ) {}

  claim(nonce: string, nowMs: number): ReplayClaim {
    this.#prune(nowMs);
    if (this.#expiries.has(nonce)) return 'REPLAYED';
    if (this.#expiries.size >= this.maxEntries) return 'UNAVAILABLE';
    this.#expiries.set(nonce, nowMs + this.windowMs);
    return 'FRESH';
  }

  get size(): number {
    return this.#expiries.size;
  }

  /** Drops expired nonces; entries are in insertion order and share one window, so the oldest expire first. */
  #prune(nowMs: number): void {
    for (const [nonce, expiry] of this.#expiries) {
      if (expiry > nowMs) break;
      this.#expiries.delete(nonce);
    }
  }
}
