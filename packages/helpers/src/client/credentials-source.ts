import type { ValueOrPromise } from '../types/value-or-promise.ts';
import { ClientFailureCode, SealedClientError } from './sealed-client-error.ts';

/** The `credentials` option: the credentials, or a function that produces them. */
export type CredentialsSource = Record<string, unknown> | (() => ValueOrPromise<Record<string, unknown>>);

/**
 * Produces the credentials and hands them to `use`: before returning when
 * they are at hand (what `use` throws then propagates), else once their
 * promise settles (what `use` throws then goes to `fail`). A function that
 * throws or a promise that rejects goes to `fail` as `CREDENTIALS_FAILED`,
 * never before this returns.
 */
export function produceCredentials(
  source: CredentialsSource,
  use: (credentials: Record<string, unknown>) => void,
  fail: (failure: SealedClientError) => void,
): void {
  let produced: ValueOrPromise<Record<string, unknown>>;
  try {
    produced = typeof source === 'function' ? source() : source;
  } catch (cause) {
    produced = Promise.reject(cause);
  }
  if (!isPromiseLike(produced)) {
    use(produced);
    return;
  }
  produced.then(
    (credentials) => {
      try {
        use(credentials);
      } catch (error) {
        fail(error instanceof SealedClientError ? error : credentialsFailure(error));
      }
    },
    (cause: unknown) => fail(credentialsFailure(cause)),
  );
}

/** The failure of credentials that could not be produced or serialized. */
export function credentialsFailure(cause: unknown): SealedClientError {
  return new SealedClientError(ClientFailureCode.CREDENTIALS_FAILED, 'The credentials could not be produced', { cause });
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
