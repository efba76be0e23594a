import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from './concurrency-limiter.ts';
import { executePromiseWithLimit } from './execute-promise-with-limit.ts';

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('ConcurrencyLimiter', () => {
  it('never runs more than its limit at once, and reaches it', async () => {
    const limiter = new ConcurrencyLimiter(3);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run(async () => {
          running += 1;
          peak = Math.max(peak, running);
          await tick(i % 4);
          running -= 1;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(limiter.peak).toBe(3);
  });

  it('starts waiting tasks in the order they were submitted', async () => {
    const limiter = new ConcurrencyLimiter(1);
    const started: number[] = [];
    await Promise.all([3, 1, 2, 0].map((delay, index) => limiter.run(async () => {
      started.push(index);
      await tick(delay);
    })));
    expect(started).toEqual([0, 1, 2, 3]);
  });

  it('hands out slots for synchronous work up to its limit, and back', () => {
    const limiter = new ConcurrencyLimiter(2);
    expect([limiter.tryAcquire(), limiter.tryAcquire(), limiter.tryAcquire()]).toEqual([true, true, false]);
    limiter.release();
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.peak).toBe(2);
  });

  it('starts a task synchronously while a slot is free', () => {
    const limiter = new ConcurrencyLimiter(1);
    let ran = false;
    void limiter.run(() => {
      ran = true;
    });
    expect(ran).toBe(true);
  });
});

describe('executePromiseWithLimit', () => {
  it('reports each task, and one failure stops none of the others', async () => {
    const results = await executePromiseWithLimit({
      limit: 2,
      tasks: [async () => 1, async () => { throw new Error('boom'); }, () => 3, async () => 4],
    });
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(results[3]).toEqual({ status: 'fulfilled', value: 4 });
  });

  it('holds the window to the limit', async () => {
    let running = 0;
    let peak = 0;
    await executePromiseWithLimit({
      limit: 4,
      tasks: Array.from({ length: 12 }, () => async () => {
        running += 1;
        peak = Math.max(peak, running);
        await tick(2);
        running -= 1;
      }),
    });
    expect(peak).toBe(4);
  });
});
