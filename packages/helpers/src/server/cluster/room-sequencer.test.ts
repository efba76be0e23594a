import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RoomSequencer } from './room-sequencer.ts';

const HOLD_MS = 100;
const MAX_HELD = 3;

describe('RoomSequencer', () => {
  let delivered: number[];
  let skipped: Array<{ room: string; missing: number }>;
  let sequencer: RoomSequencer;
  const at = (offset: number, epoch = 'e1', room = 'lobby') => sequencer.order({ room, offset, epoch }, () => void delivered.push(offset));

  beforeEach(() => {
    vi.useFakeTimers();
    delivered = [];
    skipped = [];
    sequencer = new RoomSequencer({ holdMs: HOLD_MS, maxHeld: MAX_HELD, onGapSkipped: (room, missing) => void skipped.push({ room, missing }) });
  });
  afterEach(() => {
    sequencer.stop();
    vi.useRealTimers();
  });

  it('delivers in-order messages at once, starting from the first one it sees', () => {
    expect([at(7), at(8), at(9)]).toEqual(['delivered', 'delivered', 'delivered']);
    expect(delivered).toEqual([7, 8, 9]);
  });

  it('holds a message that overtook an earlier one and delivers both in offset order once it arrives', () => {
    at(1);
    expect(at(3)).toBe('held');
    expect(at(4)).toBe('held');
    expect(delivered).toEqual([1]);
    expect(at(2)).toBe('delivered');
    expect(delivered).toEqual([1, 2, 3, 4]);
    vi.advanceTimersByTime(HOLD_MS);
    expect(skipped).toEqual([]);
  });

  it('skips a gap that does not fill within holdMs, then drops the missing message if it comes late', () => {
    at(1);
    at(4);
    vi.advanceTimersByTime(HOLD_MS - 1);
    expect(delivered).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(delivered).toEqual([1, 4]);
    expect(skipped).toEqual([{ room: 'lobby', missing: 2 }]);
    expect(at(2)).toBe('late');
    expect(at(4)).toBe('late');
    expect(delivered).toEqual([1, 4]);
  });

  it('skips at once when more than maxHeld wait, and keeps waiting on a second gap', () => {
    at(1);
    for (const offset of [3, 4, 6, 7]) at(offset);
    // Four held > three: the gap at 2 is skipped, 3 and 4 go out, 6 and 7 wait for 5.
    expect(delivered).toEqual([1, 3, 4]);
    vi.advanceTimersByTime(HOLD_MS);
    expect(delivered).toEqual([1, 3, 4, 6, 7]);
    expect(skipped).toEqual([{ room: 'lobby', missing: 1 }, { room: 'lobby', missing: 1 }]);
  });

  it('starts over on a new epoch, delivering what the old one held first', () => {
    at(5);
    at(7);
    expect(at(1, 'e2')).toBe('delivered');
    expect(delivered).toEqual([5, 7, 1]);
    expect(at(2, 'e2')).toBe('delivered');
  });

  it('keeps rooms apart, and a forgotten room delivers what it held and starts over', () => {
    at(1, 'e1', 'a');
    at(10, 'e1', 'b');
    at(3, 'e1', 'a');
    expect(at(11, 'e1', 'b')).toBe('delivered');
    sequencer.forget('a');
    expect(delivered).toEqual([1, 10, 11, 3]);
    expect(at(2, 'e1', 'a')).toBe('delivered');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('goes on from where a join read the stream: an older message is late, a later one waits for the next', () => {
    sequencer.expect('lobby', { offset: 4, epoch: 'e1' });
    expect(at(4)).toBe('late');
    expect(at(6)).toBe('held');
    expect(at(5)).toBe('delivered');
    expect(delivered).toEqual([5, 6]);
    sequencer.expect('lobby', { offset: 9, epoch: 'e1' });
    expect(at(7)).toBe('delivered');
  });
});
