import { describe, expect, it, vi } from 'vitest';
import { SerialTaskQueue } from './serial-task-queue.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('SerialTaskQueue', () => {
  it('runs a synchronous task on an idle queue at once', () => {
    const queue = new SerialTaskQueue(4, vi.fn(), undefined);
    const seen: number[] = [];
    queue.push(() => void seen.push(1));
    expect(seen).toEqual([1]);
    expect(queue.size).toBe(0);
  });

  it('keeps order when an earlier task is asynchronous', async () => {
    const queue = new SerialTaskQueue(4, vi.fn(), undefined);
    const seen: string[] = [];
    const gate = deferred();
    queue.push(async () => {
      await gate.promise;
      seen.push('slow');
    });
    const done = deferred();
    queue.push(() => {
      seen.push('fast');
      done.resolve();
    });
    expect(seen).toEqual([]);
    gate.resolve();
    await done.promise;
    expect(seen).toEqual(['slow', 'fast']);
  });

  it('refuses a task beyond its cap', () => {
    const queue = new SerialTaskQueue(2, vi.fn(), undefined);
    const gate = deferred();
    expect(queue.push(() => gate.promise)).toBe(true);
    expect(queue.push(() => undefined)).toBe(true);
    expect(queue.push(() => undefined)).toBe(false);
    gate.resolve();
  });

  it('reports a failing task and goes on with the next', async () => {
    const onError = vi.fn();
    const queue = new SerialTaskQueue(4, onError, 'queue-owner');
    const gate = deferred();
    queue.push(() => gate.promise);
    queue.push(async () => {
      throw new Error('boom');
    });
    const done = deferred();
    queue.push(() => done.resolve());
    gate.resolve();
    await done.promise;
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'boom' }), 'queue-owner');
  });
});
