import type { ValueOrPromise } from '../types/value-or-promise.ts';
import { ClientFailureCode, SealedClientError } from './sealed-client-error.ts';

/** The `credentials` option: the credentials, or a function that produces them. */
export type CredentialsSource = Record<string, unknown> | (() => ValueOrPromise<Record<string, unknown>>);

/** How long produced credentials may take, and what happens when they take longer. */
export interface CredentialsDeadline {
  /** 0: no limit. */
  timeoutMs: number;
  onTimeout: () => void;
}

/**
 * Produces the credentials and hands them to `use`: before returning when
 * they are at hand (what `use` throws then propagates), else once their
 * promise settles (what `use` throws then goes to `fail`). A function that
 * throws or a promise that rejects goes to `fail` as `CREDENTIALS_FAILED`,
 * never before this returns. A promise still pending after the deadline
 * goes to `onTimeout`, and what it settles to later is dropped.
 *
 * @returns what stops waiting: the deadline's timer is cleared, and a later outcome dropped.
 */
export function produceCredentials(
  source: CredentialsSource,
  use: (credentials: Record<string, unknown>) => void,
  fail: (failure: SealedClientError) => void,
  deadline: CredentialsDeadline,
): () => void {
  let produced: ValueOrPromise<Record<string, unknown>>;
  try {
    produced = typeof source === 'function' ? source() : source;
  } catch (cause) {
    produced = Promise.reject(cause);
  }
  if (!isPromiseLike(produced)) {
    use(produced);
    return () => undefined;
  }
  let waiting = true;
  const stop = (): void => {
    waiting = false;
    clearTimeout(timer);
  };
  const timer =
    deadline.timeoutMs > 0
      ? setTimeout(() => {
          stop();
          deadline.onTimeout();
        }, deadline.timeoutMs)
      : undefined;
  produced.then(
    (credentials) => {
      if (!waiting) return;
      stop();
      try {
        use(credentials);
      } catch (error) {
        fail(error instanceof SealedClientError ? error : credentialsFailure(error));
      }
    },
    (cause: unknown) => {
      if (!waiting) return;
      stop();
      fail(credentialsFailure(cause));
    },
  );
  return stop;
}

/** The failure of credentials that could not be produced or serialized. */
export function credentialsFailure(cause: unknown): SealedClientError {
  return new SealedClientError(ClientFailureCode.CREDENTIALS_FAILED, 'The credentials could not be produced', { cause });
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
