import type { RoomDevice } from '../../protocol/end-to-end.ts';

/** Defaults of the end-to-end options of the SDK. */
export const END_TO_END_DEFAULTS = Object.freeze({
  /** KeyPackages published on each connection that joins an end-to-end room. */
  keyPackagesPerConnection: 3,
  /** Each member refreshes its keys with an empty commit this often (post-compromise security on a schedule). */
  rotationIntervalMs: 60 * 60 * 1000,
  /** A member that is not the group's first (lowest leaf) waits this long per rank before adding or removing devices itself. */
  takeoverDelayMs: 2_000,
  /** Times a change is committed again after another member's commit won its epoch. */
  maxCommitAttempts: 3,
  /** Bytes of the random part of a new group's id. */
  groupIdRandomBytes: 16,
});

/** What `sealed:mls:room` answers. */
export interface RoomState {
  epoch: number;
  groupId: string | null;
  members: Array<RoomDevice | null>;
  waiting: RoomDevice[];
  leaving: RoomDevice[];
  welcome?: { epoch: number; welcome: string };
}

