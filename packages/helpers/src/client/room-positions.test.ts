import { describe, expect, it } from 'vitest';
import { RoomPositions } from './room-positions.ts';

const at = (offset: number, epoch = 'e1', room = 'lobby') => ({ event: 'chat', data: { offset }, position: { room, offset, epoch } });
const offsets = (messages: Array<{ data: unknown }>) => messages.map((message) => (message.data as { offset: number }).offset);

describe('RoomPositions', () => {
  it('delivers messages without a position as they are, and a room message once per offset', () => {
    const positions = new RoomPositions();
    expect(positions.accept({ event: 'note', data: 1 })).toHaveLength(1);
    expect(offsets([at(1), at(2), at(2), at(1), at(3)].flatMap((message) => positions.accept(message)))).toEqual([1, 2, 3]);
    expect(positions.positionOf('lobby')).toEqual({ offset: 3, epoch: 'e1' });
    // Another epoch starts over.
    expect(positions.accept(at(1, 'e2'))).toHaveLength(1);
  });

  it('names known positions in since, holds the room until joined, then delivers in offset order without duplicates', () => {
    const positions = new RoomPositions();
    positions.settle(undefined, { positions: { lobby: { offset: 4, epoch: 'e1' } } });
    const since = positions.beginJoin(['lobby', 'other']);
    expect(since).toEqual({ lobby: { offset: 4, epoch: 'e1' } });
    // A live message overtakes the replay, and one is both live and replayed.
    const arriving = [at(7), at(5), at(6), at(7)];
    expect(arriving.flatMap((message) => positions.accept(message))).toEqual([]);
    const { deliver, recovered } = positions.settle(since, { recovered: { lobby: true }, positions: { lobby: { offset: 7, epoch: 'e1' } } });
    expect(offsets(deliver)).toEqual([5, 6, 7]);
    expect(recovered).toEqual({ lobby: true });
    expect(positions.accept(at(7))).toEqual([]);
    expect(offsets(positions.accept(at(8)))).toEqual([8]);
  });

  it('after a recovery that failed, takes the new epoch from joined and delivers what came live', () => {
    const positions = new RoomPositions();
    positions.accept(at(9, 'old'));
    const since = positions.beginJoin(['lobby']);
    positions.accept(at(2, 'new'));
    const { deliver, recovered } = positions.settle(since, { recovered: { lobby: false }, positions: { lobby: { offset: 1, epoch: 'new' } } });
    expect(offsets(deliver)).toEqual([2]);
    expect(recovered).toEqual({ lobby: false });
    expect(positions.positionOf('lobby')).toEqual({ offset: 2, epoch: 'new' });
  });

  it('releases a held room when its join fails, and forgets the rooms left', () => {
    const positions = new RoomPositions();
    positions.accept(at(1));
    const since = positions.beginJoin(['lobby']);
    positions.accept(at(2));
    expect(offsets(positions.settle(since, undefined).deliver)).toEqual([2]);
    expect(offsets(positions.accept(at(3)))).toEqual([3]);
    positions.forget(['lobby']);
    expect(positions.positionOf('lobby')).toBeUndefined();
    expect(positions.beginJoin(['lobby'])).toBeUndefined();
  });
});
