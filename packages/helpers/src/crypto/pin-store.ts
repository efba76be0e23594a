import { SealedError } from '../protocol/sealed-error.ts';
import { UsageErrorCode } from '../protocol/usage-error-codes.ts';
import type { ValueOrPromise } from '../types/value-or-promise.ts';
import { constantTimeEqual, fromBase64, toBase64 } from './bytes.ts';

/**
 * Where trust-on-first-use pins live: a server key per server (on clients),
 * a client identity key per user (on servers). Values are base64 public keys.
 * Back it with a file, a database or `localStorage`; the in-memory default
 * forgets on restart.
 */
export interface PinStore {
  get(name: string): ValueOrPromise<string | undefined>;
  set(name: string, value: string): ValueOrPromise<void>;
}

/** Pins an {@link InMemoryPinStore} holds unless told otherwise (about 15 MB of keys and names). */
export const DEFAULT_MAX_PINS = 100_000;

/**
 * A {@link PinStore} in a Map: for tests and single-process use. It holds at
 * most `maxPins` names; pinning one more throws `PIN_STORE_FULL` (the kit
 * refuses that client). It never evicts: a forgotten pin would let the next
 * key claim the name.
 */
export class InMemoryPinStore implements PinStore {
  readonly #pins = new Map<string, string>();

  constructor(private readonly maxPins: number = DEFAULT_MAX_PINS) {}

  get size(): number {
    return this.#pins.size;
  }

  get(name: string): string | undefined {
    return this.#pins.get(name);
  }

  /** @throws SealedError `PIN_STORE_FULL` for a new name once `maxPins` are held. */
  set(name: string, value: string): void {
    if (!this.#pins.has(name) && this.#pins.size >= this.maxPins) {
      throw new SealedError(UsageErrorCode.PIN_STORE_FULL, `The pin store holds its ${this.maxPins} pins; "${name}" was not pinned`);
    }
    this.#pins.set(name, value);
  }
}

/** What a pin check found. */
export type PinOutcome = 'PINNED_NOW' | 'MATCHED' | 'MISMATCH';

/** How a key compares with the pin under a name, without pinning anything. */
export type PinComparison = 'UNPINNED' | 'MATCHED' | 'MISMATCH';

/** Compares a key with the pin under `name`; pins nothing (pin with `store.set` once the key has proved itself). */
export async function comparePin(store: PinStore, name: string, key: Uint8Array): Promise<PinComparison> {
  const pinned = await store.get(name);
  if (pinned === undefined) return 'UNPINNED';
  const pinnedKey = fromBase64(pinned);
  return pinnedKey && constantTimeEqual(pinnedKey, key) ? 'MATCHED' : 'MISMATCH';
}

/**
 * Checks a key against the pin under `name`: pins it on first use, then
 * accepts only the same key.
 */
export async function checkPin(store: PinStore, name: string, key: Uint8Array): Promise<PinOutcome> {
  const comparison = await comparePin(store, name, key);
  if (comparison !== 'UNPINNED') return comparison;
  await store.set(name, toBase64(key));
  return 'PINNED_NOW';
}
