import type { ValueOrPromise } from '../types/value-or-promise.ts';

const SETTLED: Promise<void> = Promise.resolve();

/**
 * Runs tasks one after another, in the order they were pushed, with a cap on
 * how many may wait. A synchronous task on an idle queue runs at once and
 * allocates no promise, so the common case stays cheap. A task's error goes
 * to `onError` with the queue's `owner`, so one handler may serve many
 * queues (a server keeps one queue per connection).
 */
export class SerialTaskQueue<Owner = undefined> {
  #pending = 0;
  #tail: Promise<void> = SETTLED;

  constructor(
    private readonly maxPending: number,
    private readonly onError: (error: unknown, owner: Owner) => void,
    private readonly owner: Owner,
  ) {}

  /** Tasks running or waiting. */
  get size(): number {
    return this.#pending;
  }

  /**
   * Queues a task.
   *
   * @returns false, without queueing, when `maxPending` tasks are already waiting.
   */
  push(task: () => ValueOrPromise<void>): boolean {
    if (this.#pending >= this.maxPending) return false;
    this.#pending += 1;
    if (this.#pending === 1) {
      this.#runNow(task);
    } else {
      this.#tail = this.#tail.then(() => this.#runQueued(task));
    }
    return true;
  }

  #runNow(task: () => ValueOrPromise<void>): void {
    let result: ValueOrPromise<void>;
    try {
      result = task();
    } catch (error) {
      this.#settle(error);
      return;
    }
    if (result instanceof Promise) {
      this.#tail = result.then(
        () => this.#settle(undefined),
        (error: unknown) => this.#settle(error),
      );
    } else {
      this.#settle(undefined);
    }
  }

  async #runQueued(task: () => ValueOrPromise<void>): Promise<void> {
    try {
      await task();
      this.#settle(undefined);
    } catch (error) {
      this.#settle(error);
    }
  }

  #settle(error: unknown): void {
    this.#pending -= 1;
    // Idle: let the last task's promise go rather than keep it for the next one.
    if (this.#pending === 0) this.#tail = SETTLED;
    if (error !== undefined) this.onError(error, this.owner);
  }
}
