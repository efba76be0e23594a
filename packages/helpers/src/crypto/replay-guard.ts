/**
 * Remembers the ids seen within a time window (bus envelope ids), so a
 * repeated one is dropped while its timestamp is still fresh. Holds at most
 * `maxEntries`; past that the oldest are forgotten first (the envelope's own
 * age check still drops it once stale). The caller passes the time.
 */
export class ReplayGuard {
  readonly #expiries = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries: number,
  ) {}

  /** Records the id; returns false when it was already seen within the window. */
  remember(nonce: string, nowMs: number): boolean {
    this.#prune(nowMs);
    if (this.#expiries.has(nonce)) return false;
    this.#expiries.set(nonce, nowMs + this.windowMs);
    return true;
  }

  get size(): number {
    return this.#expiries.size;
  }

  #prune(nowMs: number): void {
    for (const [nonce, expiry] of this.#expiries) {
      if (expiry > nowMs && this.#expiries.size < this.maxEntries) break;
      this.#expiries.delete(nonce);
    }
  }
}
