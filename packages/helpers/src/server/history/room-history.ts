import type { RoomPosition, StreamPosition } from '../../protocol/room-position.ts';
import type { ValueOrPromise } from '../../types/value-or-promise.ts';
import type { RoomHistoryFn } from '../server-hooks.ts';
import type { HistoryLimits, HistorySince, HistoryStore } from './history-store.ts';

/** Dependencies of a {@link RoomHistory}. */
export interface RoomHistoryInit {
  store: HistoryStore;
  /** Which rooms keep history; unset: none. */
  roomHistoryFn: RoomHistoryFn | undefined;
  limits: HistoryLimits;
  now: () => number;
}

/**
 * The server's view of room histories: which rooms keep one (the
 * application's `roomHistoryFn`; a throw counts as no), and the store's
 * operations with the configured limits and clock.
 */
export class RoomHistory {
  constructor(private readonly init: RoomHistoryInit) {}

  /** Whether `room` keeps history. */
  keeps(room: string): boolean {
    const { roomHistoryFn } = this.init;
    if (!roomHistoryFn) return false;
    try {
      return roomHistoryFn({ room }) === true;
    } catch {
      return false;
    }
  }

  append(room: string, event: string, data: unknown): ValueOrPromise<RoomPosition> {
    return this.init.store.append(room, { event, data }, this.init.limits, this.init.now());
  }

  since(room: string, position: StreamPosition): ValueOrPromise<HistorySince> {
    return this.init.store.since(room, position, this.init.limits, this.init.now());
  }

  top(room: string): ValueOrPromise<StreamPosition> {
    return this.init.store.top(room, this.init.limits, this.init.now());
  }
}
