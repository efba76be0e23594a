/** Why an upgrade got no slot among the connections not yet authenticated. */
export type PreAuthRefusal = 'SERVER_FULL' | 'ADDRESS_FULL';

/** Limits of {@link PreAuthSlots}. */
export interface PreAuthSlotsInit {
  /** Connections not yet authenticated, upgrades in progress included, across all addresses. */
  maxUnauthenticated: number;
  /** The same, from one remote address. */
  maxUnauthenticatedPerAddress: number;
}

/**
 * Counts the connections that have not authenticated yet, in all and per
 * remote address, so a flood of sockets that never authenticate cannot take
 * the slots of everyone else. A slot is taken at the upgrade and given back
 * once the client is open or gone. The address table holds only addresses
 * with a slot taken, so it is bounded by `maxUnauthenticated`.
 */
export class PreAuthSlots {
  readonly #byAddress = new Map<string, number>();
  #taken = 0;

  constructor(private readonly init: PreAuthSlotsInit) {}

  /** Slots taken now. */
  get taken(): number {
    return this.#taken;
  }

  /**
   * Takes a slot for `address`.
   *
   * @returns a function that gives it back (once, however often it is called), or why there is none.
   */
  take(address: string): { ok: true; release: () => void } | { ok: false; code: PreAuthRefusal } {
    if (this.#taken >= this.init.maxUnauthenticated) return { ok: false, code: 'SERVER_FULL' };
    const fromAddress = this.#byAddress.get(address) ?? 0;
    if (fromAddress >= this.init.maxUnauthenticatedPerAddress) return { ok: false, code: 'ADDRESS_FULL' };
    this.#byAddress.set(address, fromAddress + 1);
    this.#taken += 1;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.#taken -= 1;
        const left = (this.#byAddress.get(address) ?? 1) - 1;
        if (left === 0) this.#byAddress.delete(address);
        else this.#byAddress.set(address, left);
      },
    };
  }
}
