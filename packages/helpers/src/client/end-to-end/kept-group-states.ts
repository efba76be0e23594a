import type { ValueOrPromise } from '../../types/value-or-promise.ts';
import { RoomGroup } from './room-group.ts';

/** Where a device keeps its end-to-end rooms' group state across restarts (in a browser, its storage), one entry per room. */
export interface GroupStateStore {
  get(room: string): ValueOrPromise<string | undefined>;
  set(room: string, state: string): ValueOrPromise<void>;
  delete(room: string): ValueOrPromise<void>;
}

/**
 * The group state a device keeps of each end-to-end room in its
 * {@link GroupStateStore}, so a new client of the device (a page reload)
 * takes up its place in the groups. Without a store, nothing is kept.
 */
export class KeptGroupStates {
  constructor(private readonly store: GroupStateStore | undefined) {}

  /** The kept state of `room`, when it is of the group `groupId` (the room's group now). */
  async restore(room: string, groupId: string | null): Promise<RoomGroup | undefined> {
    const saved = await this.store?.get(room);
    const restored = saved === undefined ? undefined : RoomGroup.restore(room, saved);
    return restored && restored.groupId === groupId ? restored : undefined;
  }

  /** Keeps the room's group state, or forgets it once this device is out of the group (`undefined`). */
  async keep(room: string, group: RoomGroup | undefined): Promise<void> {
    if (!this.store) return;
    if (group) await this.store.set(room, group.save());
    else await this.store.delete(room);
  }
}
