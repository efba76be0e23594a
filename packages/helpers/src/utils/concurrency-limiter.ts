import type { ValueOrPromise } from '../types/value-or-promise.ts';

/**
 * A first-in, first-out semaphore: at most `limit` tasks run at once; the
 * rest start in the order they were submitted as running ones finish. One
 * limiter can be shared by many callers, so the limit is global to them.
 */
export class ConcurrencyLimiter {
  #active = 0;
  #peak = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`Concurrency limit must be a positive integer, got ${limit}`);
  }

  /** Tasks running now. */
  get active(): number {
    return this.#active;
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** The most tasks ever running at once. */
  get peak(): number {
    return this.#peak;
  }

  /**
   * Runs `task` as soon as a slot is free. A task submitted while a slot is
   * free starts synchronously, before `run` returns.
   */
  run<T>(task: () => ValueOrPromise<T>): Promise<T> {
    if (this.#active < this.limit) return this.#start(task);
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push(() => this.#start(task).then(resolve, reject));
    });
  }

  /**
   * Runs `task` now if a slot is free, without allocating a promise when the
   * task is synchronous. Returns `undefined` (and runs nothing) when every
   * slot is taken; the caller then queues with `run`.
   */
  tryRunNow<T>(task: () => ValueOrPromise<T>): { value: ValueOrPromise<T> } | undefined {
    if (this.#active >= this.limit) return undefined;
    this.#active += 1;
    if (this.#active > this.#peak) this.#peak = this.#active;
    let value: ValueOrPromise<T>;
    try {
      value = task();
    } catch (error) {
      this.#release();
      throw error;
    }
    if (value instanceof Promise) return { value: value.finally(() => this.#release()) };
    this.#release();
    return { value };
  }

  #start<T>(task: () => ValueOrPromise<T>): Promise<T> {
    this.#active += 1;
    if (this.#active > this.#peak) this.#peak = this.#active;
    let result: Promise<T>;
    try {
      result = Promise.resolve(task());
    } catch (error) {
      result = Promise.reject(error);
    }
    return result.finally(() => this.#release());
  }

  #release(): void {
    this.#active -= 1;
    this.#waiting.shift()?.();
  }
}
