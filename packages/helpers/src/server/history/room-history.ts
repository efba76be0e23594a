import { roomPolicySays } from '../registry/room-policy.ts';
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
  /** Told when the store failed (say, Redis unreachable): the message went out without a position, or the join without recovery. */
  onFailure: (operation: 'append' | 'read', error: unknown) => void;
  /** Told where a room's stream stood when a join read it. */
  onStreamRead?: (room: string, top: StreamPosition) => void;
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
    return roomPolicySays(this.init.roomHistoryFn, room);
  }

  /** Appends a message; `undefined` when the store failed (the message is then sent live only, without a position). */
  append(room: string, event: string, data: unknown): ValueOrPromise<RoomPosition | undefined> {
    return this.#attempt('append', () => this.init.store.append(room, { event, data }, this.init.limits, this.init.now()));
  }

  /** What the client missed after `position`; `undefined` when the store failed. */
  async since(room: string, position: StreamPosition): Promise<HistorySince | undefined> {
    const found = await this.#attempt('read', () => this.init.store.since(room, position, this.init.limits, this.init.now()));
    if (found) this.init.onStreamRead?.(room, found.top);
    return found;
  }

  /** Where the stream stands; `undefined` when the store failed. */
  async top(room: string): Promise<StreamPosition | undefined> {
    const top = await this.#attempt('read', () => this.init.store.top(room, this.init.limits, this.init.now()));
    if (top) this.init.onStreamRead?.(room, top);
    return top;
  }

  /** Runs a store operation, synchronously when the store is, and turns a failure into `undefined`. */
  #attempt<T>(operation: 'append' | 'read', run: () => ValueOrPromise<T>): ValueOrPromise<T | undefined> {
    const failed = (error: unknown): undefined => {
      this.init.onFailure(operation, error);
      return undefined;
    };
    try {
      const result = run();
      return result instanceof Promise ? result.catch(failed) : result;
    } catch (error) {
      return failed(error);
    }
  }
}
