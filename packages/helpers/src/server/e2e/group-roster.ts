import { toBase64 } from '../../crypto/bytes.ts';
import type { RoomDevice } from '../../protocol/end-to-end.ts';
import type { CommitView } from './mls-messages.ts';

/** A group's leaves as the server knows them: leaf index to device, `null` for a blank leaf. */
export type Roster = ReadonlyArray<RoomDevice | null>;

/** What applying a commit to the roster came to. */
export type RosterChange = { ok: true; roster: Roster; added: readonly RoomDevice[] } | { ok: false; reason: string };

/**
 * Checks a commit against what the application allowed and applies it to
 * the roster the way RFC 9420 places leaves (§12.3: removes first, then each
 * add in the leftmost blank leaf, or a new one at the right):
 *
 * - the committer is the device in the sender leaf;
 * - a removed leaf holds a device that is no longer admitted to the room
 *   (it left, or the application took it out), and never the committer;
 * - an added KeyPackage is bound to a device admitted to the room, for the
 *   user it was admitted as, and not in the group already.
 *
 * `roster` is `undefined` for a room without a group yet: the committer
 * founds it in leaf 0.
 */
export function applyCommit(
  roster: Roster | undefined,
  view: CommitView,
  committer: RoomDevice,
  admitted: ReadonlyMap<string, RoomDevice>,
): RosterChange {
  const leaves: Array<RoomDevice | null> = roster ? [...roster] : [committer];
  if (leaves[view.senderLeaf]?.device !== committer.device) return { ok: false, reason: 'The sender leaf is not the committing device' };
  if (view.removes.length !== new Set(view.removes).size) return { ok: false, reason: 'A leaf is removed twice' };
  for (const leaf of view.removes) {
    const removed = leaves[leaf];
    if (!removed) return { ok: false, reason: `Leaf ${leaf} holds no member` };
    if (removed.device === committer.device) return { ok: false, reason: 'A member cannot remove itself' };
    if (admitted.has(removed.device)) return { ok: false, reason: 'A device still admitted to the room cannot be removed' };
    leaves[leaf] = null;
  }
  while (leaves.length > 0 && leaves.at(-1) === null) leaves.pop();
  const added: RoomDevice[] = [];
  for (const binding of view.adds) {
    const device = toBase64(binding.signatureKey);
    const allowed = admitted.get(device);
    if (!allowed || allowed.userId !== binding.identity) return { ok: false, reason: 'An added device is not admitted to the room' };
    if (leaves.some((leaf) => leaf?.device === device)) return { ok: false, reason: 'An added device is in the group already' };
    const entry: RoomDevice = { userId: allowed.userId, device };
    const blank = leaves.indexOf(null);
    if (blank >= 0) leaves[blank] = entry;
    else leaves.push(entry);
    added.push(entry);
  }
  return { ok: true, roster: leaves, added };
}
