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

/** A {@link PinStore} in a Map: for tests and single-process use. */
export class InMemoryPinStore implements PinStore {
  readonly #pins = new Map<string, string>();

  get(name: string): string | undefined {
    return this.#pins.get(name);
  }

  set(name: string, value: string): void {
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
