import { describe, expect, it } from 'vitest';
import { InMemoryHistoryStore } from './in-memory-history-store.ts';

const limits = { maxMessages: 3, maxAgeMs: 1_000 };
const message = (n: number) => ({ event: 'chat', data: { n } });

describe('InMemoryHistoryStore', () => {
  it('numbers messages from 1 under one epoch and keeps the newest maxMessages', () => {
    const store = new InMemoryHistoryStore();
    const positions = [1, 2, 3, 4, 5].map((n) => store.append('lobby', message(n), limits, 0));
    expect(positions.map((position) => position.offset)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(positions.map((position) => position.epoch)).size).toBe(1);
    const { epoch } = positions[0]!;
    expect(store.since('lobby', { offset: 2, epoch }, limits, 0)).toMatchObject({ complete: true, entries: [{ offset: 3 }, { offset: 4 }, { offset: 5 }] });
    expect(store.since('lobby', { offset: 1, epoch }, limits, 0)).toMatchObject({ complete: false, entries: [] });
    expect(store.since('lobby', { offset: 6, epoch }, limits, 0)).toMatchObject({ complete: false, top: { offset: 5, epoch } });
  });

  it('drops messages older than maxAgeMs, and then a position before them is not complete', () => {
    const store = new InMemoryHistoryStore();
    const { epoch } = store.append('lobby', message(1), limits, 0);
    store.append('lobby', message(2), limits, 900);
    expect(store.since('lobby', { offset: 0, epoch }, limits, 1_500)).toMatchObject({ complete: false });
    expect(store.since('lobby', { offset: 1, epoch }, limits, 1_500)).toMatchObject({ complete: true, entries: [{ offset: 2 }] });
    // Everything expired, nothing newer: a client at the top missed nothing.
    expect(store.since('lobby', { offset: 2, epoch }, limits, 5_000)).toMatchObject({ complete: true, entries: [] });
  });

  it('forgets a stream silent for longer than maxAgeMs as other rooms go on, with a new epoch if it comes back', () => {
    const store = new InMemoryHistoryStore();
    const { epoch } = store.append('quiet', message(1), limits, 0);
    store.append('busy', message(1), limits, 500);
    expect(store.size).toBe(2);
    store.append('busy', message(2), limits, 2_000);
    expect(store.size).toBe(1);
    expect(store.top('quiet', limits, 2_000).epoch).not.toBe(epoch);
  });
});
