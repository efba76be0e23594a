import type { PresenceMember } from '../../protocol/presence.ts';
import type { ValueOrPromise } from '../../types/value-or-promise.ts';

export type { PresenceMember } from '../../protocol/presence.ts';

/** Members of rooms that left with an instance that stopped answering, by room. */
export type ReapedMembers = ReadonlyMap<string, readonly PresenceMember[]>;

/**
 * Where the members of rooms that track presence are kept, for every
 * instance that shares the store. An instance adds and removes its own
 * clients and says it is alive (`heartbeat`); the members of an instance
 * that stopped saying so (it crashed) vanish from `members` once its
 * heartbeat expired, and `reap` hands them out once, so someone tells
 * their rooms.
 */
export interface PresenceStore {
  add(room: string, member: PresenceMember, instanceId: string): ValueOrPromise<void>;
  remove(room: string, clientId: string, instanceId: string): ValueOrPromise<void>;
  /** Every member of the room on a live instance, in no particular order. */
  members(room: string): ValueOrPromise<PresenceMember[]>;
  /** This instance is alive for `ttlMs` more. */
  heartbeat(instanceId: string, ttlMs: number): ValueOrPromise<void>;
  /** Removes the members of instances whose heartbeat expired and returns them, each once across every caller. */
  reap(): ValueOrPromise<ReapedMembers>;
  /** `false` for a store only this process reaches (`InMemoryPresenceStore`). Unset or `true`: every instance does (Redis). */
  readonly sharedAcrossProcesses?: boolean;
}
