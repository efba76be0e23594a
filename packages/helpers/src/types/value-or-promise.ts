/** A value, or a promise of it: what hooks may return. */
export type ValueOrPromise<T> = T | Promise<T>;
