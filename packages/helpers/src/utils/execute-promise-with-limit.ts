import type { ValueOrPromise } from '../types/value-or-promise.ts';
import { ConcurrencyLimiter } from './concurrency-limiter.ts';

/**
 * Runs tasks with at most `limit` in flight (a sliding window: a new task
 * starts as soon as any running one finishes). A failing task neither stops
 * the others nor goes unhandled: every outcome is reported, in task order.
 *
 * @example
 * const results = await executePromiseWithLimit({ tasks: urls.map((url) => () => fetch(url)), limit: 4 });
 * const failed = results.filter((result) => result.status === 'rejected');
 */
export function executePromiseWithLimit<T>(params: {
  tasks: ReadonlyArray<() => ValueOrPromise<T>>;
  limit: number;
  limiter?: ConcurrencyLimiter;
}): Promise<Array<PromiseSettledResult<T>>> {
  const limiter = params.limiter ?? new ConcurrencyLimiter(params.limit);
  return Promise.allSettled(params.tasks.map((task) => limiter.run(task)));
}
