import { describe, expect, it } from 'vitest';
import { InboundFrames } from './inbound-frames.ts';

/** A promise and the function that resolves it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('InboundFrames', () => {
  it('handles a frame at once when none is being handled', () => {
    const handled: number[] = [];
    const frames = new InboundFrames(() => undefined);
    frames.push(() => void handled.push(1));
    expect(handled).toEqual([1]);
    frames.push(() => void handled.push(2));
    expect(handled).toEqual([1, 2]);
  });

  it('holds every frame behind one still being handled, in order, then handles at once again', async () => {
    const handled: string[] = [];
    const frames = new InboundFrames(() => undefined);
    const { opened, open } = gate();
    frames.push(async () => {
      handled.push('first begins');
      await opened;
      handled.push('first ends');
    });
    frames.push(() => void handled.push('second'));
    frames.push(async () => void handled.push('third'));
    frames.push(() => void handled.push('fourth'));
    await settle();
    expect(handled).toEqual(['first begins']);
    open();
    await settle();
    expect(handled).toEqual(['first begins', 'first ends', 'second', 'third', 'fourth']);
    frames.push(() => void handled.push('fifth'));
    expect(handled.at(-1)).toBe('fifth');
  });

  it('reports a handler that throws or rejects, and goes on with the frames after it', async () => {
    const failures: unknown[] = [];
    const handled: number[] = [];
    const frames = new InboundFrames((cause) => failures.push(cause));
    const thrown = new Error('thrown');
    const rejected = new Error('rejected');
    frames.push(() => {
      throw thrown;
    });
    expect(failures).toEqual([thrown]);
    frames.push(() => Promise.reject(rejected));
    frames.push(() => void handled.push(1));
    frames.push(() => {
      throw thrown;
    });
    frames.push(() => void handled.push(2));
    await settle();
    expect(failures).toEqual([thrown, rejected, thrown]);
    expect(handled).toEqual([1, 2]);
    frames.push(() => void handled.push(3));
    expect(handled).toEqual([1, 2, 3]);
  });
});
