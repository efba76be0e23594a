import { describe, expect, it } from 'vitest';
import { BufferedEmitter } from './buffered-emitter.ts';

const rethrow = (_event: string, error: unknown): never => {
  throw error;
};

describe('BufferedEmitter', () => {
  it('hands events emitted before any listener to the first listener', () => {
    const emitter = new BufferedEmitter(10, rethrow);
    emitter.emit('chat', 1);
    emitter.emit('chat', 2);
    const seen: unknown[] = [];
    emitter.on('chat', (data) => seen.push(data));
    emitter.emit('chat', 3);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('keeps only the newest events past its cap', () => {
    const emitter = new BufferedEmitter(2, rethrow);
    for (const n of [1, 2, 3]) emitter.emit('chat', n);
    const seen: unknown[] = [];
    emitter.on('chat', (data) => seen.push(data));
    expect(seen).toEqual([2, 3]);
  });

  it('stops calling a listener once it is removed', () => {
    const emitter = new BufferedEmitter(2, rethrow);
    const seen: unknown[] = [];
    const off = emitter.on('chat', (data) => seen.push(data));
    emitter.emit('chat', 1);
    off();
    emitter.emit('chat', 2);
    expect(seen).toEqual([1]);
  });

  it('reports a listener that throws and still calls the next one, then and later', () => {
    const failures: Array<[string, unknown]> = [];
    const emitter = new BufferedEmitter(2, (event, error) => failures.push([event, error]));
    const seen: unknown[] = [];
    const boom = new Error('listener bug');
    emitter.on('chat', (data) => {
      if (data === 1) throw boom;
    });
    emitter.on('chat', (data) => seen.push(data));
    emitter.emit('chat', 1);
    emitter.emit('chat', 2);
    expect(seen).toEqual([1, 2]);
    expect(failures).toEqual([['chat', boom]]);
  });

  it('reports a listener that throws on a buffered event when it attaches', () => {
    const failures: string[] = [];
    const emitter = new BufferedEmitter(2, (event) => failures.push(event));
    emitter.emit('chat', 1);
    emitter.emit('chat', 2);
    const seen: unknown[] = [];
    emitter.on('chat', (data) => {
      seen.push(data);
      throw new Error('listener bug');
    });
    expect(seen).toEqual([1, 2]);
    expect(failures).toEqual(['chat', 'chat']);
  });
});
