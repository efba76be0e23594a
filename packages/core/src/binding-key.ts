/**
 * A typed key into the application's container: a symbol that remembers the
 * type of what is bound under it, so `bindValue` and `resolve` check types.
 */
export type BindingKey<T> = symbol & { readonly __boundType?: T };

/** The type bound under a key. */
export type BoundType<K> = K extends BindingKey<infer T> ? T : never;

/**
 * Creates a binding key. The name is global (`Symbol.for`), so two copies of a
 * package agree on the same key.
 *
 * @example const GREETING = bindingKey<string>('app.greeting');
 */
export function bindingKey<T>(name: string): BindingKey<T> {
  return Symbol.for(name) as BindingKey<T>;
}

/** The name a key was created with, for error messages. */
export function bindingKeyName(key: symbol): string {
  return key.description ?? key.toString();
}
