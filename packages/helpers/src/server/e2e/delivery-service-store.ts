import type { LoggedCommit, RoomDevice } from '../../protocol/end-to-end.ts';
import type { Roster } from './group-roster.ts';

/** A device admitted to an end-to-end room, and the connection it joined from last. */
export interface AdmittedDevice extends RoomDevice {
  readonly clientId: string;
}

/** What the Delivery Service keeps of one room's group. */
export interface GroupRecord {
  /** The MLS group id, base64, set by the commit that founded the group. */
  readonly groupId: string;
  /** The group's current epoch: the number of commits accepted. */
  readonly epoch: number;
  readonly roster: Roster;
}

/** A part of a room's commit log, and whether it starts where it was asked to. */
export interface LogSlice {
  readonly entries: readonly LoggedCommit[];
  /** False when commits from the epoch asked for were dropped already (`maxGroupLogEntries`). */
  readonly complete: boolean;
}

/**
 * Where the Delivery Service keeps what must be the same on every instance:
 * the KeyPackage directory, the devices admitted to each end-to-end room,
 * each room's group record and its log of commits. `commit` is the ordering
 * guarantee MLS needs from its Delivery Service: of the commits made in one
 * epoch, exactly one is accepted. In memory by default
 * (`InMemoryDeliveryServiceStore`); `RedisDeliveryServiceStore` shares it
 * between instances.
 */
export interface DeliveryServiceStore {
  /** False for a store only this process sees: refused beside a bus that reaches other processes. */
  readonly sharedAcrossProcesses?: boolean;
  /**
   * Replaces the KeyPackages of a device with these (at most `maxPerDevice`, the newest kept) and,
   * when given, its last-resort one; resolves with how many it holds. Replacing, not adding: a device
   * holds the private keys of the packages it published last only.
   */
  putKeyPackages(device: string, packages: readonly string[], lastResort: string | undefined, maxPerDevice: number): Promise<number>;
  /** Takes one KeyPackage of a device, the oldest first; the last-resort one, kept, when none is left. */
  takeKeyPackage(device: string): Promise<string | undefined>;
  /** Admits a device to a room (again: its connection is updated). */
  admit(room: string, device: AdmittedDevice): Promise<void>;
  /** Takes a device's admission to a room away. */
  dismiss(room: string, device: string): Promise<void>;
  admitted(room: string): Promise<AdmittedDevice[]>;
  group(room: string): Promise<GroupRecord | undefined>;
  /**
   * Accepts `entry`, made in epoch `entry.epoch`, when the room's group is
   * at that epoch (or has no record yet and `entry.epoch` is 0): stores
   * `next` and appends the entry, keeping the last `maxLog`. Resolves false,
   * changing nothing, when another commit of that epoch was accepted first.
   */
  commit(room: string, next: GroupRecord, entry: LoggedCommit, maxLog: number): Promise<boolean>;
  /** The accepted commits made in epoch `since` and after, oldest first. */
  log(room: string, since: number): Promise<LogSlice>;
  /** Releases connections; the store is not used after. */
  close?(): Promise<void>;
}
