/**
 * A few values kept compactly where one is the common case: nothing, the
 * value itself, or a `Set` once there are two or more. A `Set` of one costs
 * about 190 bytes; a server keeps such a collection per connection (its
 * rooms) and per user (its connections). `T` must not itself be a `Set`.
 * The functions that change it return the new collection, for the owner to
 * keep.
 */
export type OneOrMany<T> = T | Set<T> | undefined;

const NONE: readonly never[] = Object.freeze([]);

/** Whether `value` is among `kept`. */
export function includes<T>(kept: OneOrMany<T>, value: T): boolean {
  return kept instanceof Set ? kept.has(value) : kept !== undefined && kept === value;
}

/** How many values `kept` holds. */
export function countOf<T>(kept: OneOrMany<T>): number {
  if (kept === undefined) return 0;
  return kept instanceof Set ? kept.size : 1;
}

/** `kept` with `value` added (a value already there is kept once). */
export function withValue<T>(kept: OneOrMany<T>, value: T): OneOrMany<T> {
  if (kept === undefined || kept === value) return value;
  if (kept instanceof Set) return kept.add(value);
  return new Set([kept, value]);
}

/** `kept` without `value`: a set left with one value becomes that value. */
export function withoutValue<T>(kept: OneOrMany<T>, value: T): OneOrMany<T> {
  if (!(kept instanceof Set)) return kept === value ? undefined : kept;
  kept.delete(value);
  if (kept.size > 1) return kept;
  const [remaining] = kept;
  return remaining;
}

/** The values of `kept`, in the order they were added; a set is returned as it is, not copied. */
export function valuesOf<T>(kept: OneOrMany<T>): Iterable<T> {
  if (kept === undefined) return NONE;
  return kept instanceof Set ? kept : [kept];
}
