import { describe, expect, it } from 'vitest';
import { BufferedEmitter } from './buffered-emitter.ts';

describe('BufferedEmitter', () => {
  it('hands events emitted before any listener to the first listener', () => {
    const emitter = new BufferedEmitter(10);
    emitter.emit('chat', 1);
    emitter.emit('chat', 2);
    const seen: unknown[] = [];
    emitter.on('chat', (data) => seen.push(data));
    emitter.emit('chat', 3);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('keeps only the newest events past its cap', () => {
    const emitter = new BufferedEmitter(2);
    for (const n of [1, 2, 3]) emitter.emit('chat', n);
    const seen: unknown[] = [];
    emitter.on('chat', (data) => seen.push(data));
    expect(seen).toEqual([2, 3]);
  });

  it('stops calling a listener once it is removed', () => {
    const emitter = new BufferedEmitter(2);
    const seen: unknown[] = [];
    const off = emitter.on('chat', (data) => seen.push(data));
    emitter.emit('chat', 1);
    off();
    emitter.emit('chat', 2);
    expect(seen).toEqual([1]);
  });
});
