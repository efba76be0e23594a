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
   * Takes a slot for synchronous work without allocating anything; the
   * caller must `release()` it. Returns false when every slot is taken.
   */
  tryAcquire(): boolean {
    if (this.#active >= this.limit) return false;
    this.#active += 1;
    if (this.#active > this.#peak) this.#peak = this.#active;
    return true;
  }

  /** Gives back a slot taken with `tryAcquire`, starting the next waiting task. */
  release(): void {
    this.#release();
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
