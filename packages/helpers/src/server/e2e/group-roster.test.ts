import { describe, expect, it } from 'vitest';
import { fromBase64 } from '../../crypto/bytes.ts';
import type { RoomDevice } from '../../protocol/end-to-end.ts';
import { applyCommit, type Roster } from './group-roster.ts';
import type { CommitView } from './mls-messages.ts';

/** A device whose key is `n` repeated: its base64 is what the roster holds. */
function device(userId: string, n: number): RoomDevice {
  return { userId, device: Buffer.alloc(32, n).toString('base64') };
}

function view(senderLeaf: number, adds: RoomDevice[] = [], removes: number[] = []): CommitView {
  return {
    groupId: new Uint8Array([1]),
    epoch: 0,
    senderLeaf,
    adds: adds.map((added) => ({ identity: added.userId, signatureKey: fromBase64(added.device)! })),
    removes,
  };
}

const [alice, bob, carol, dave] = [device('alice', 1), device('bob', 2), device('carol', 3), device('dave', 4)];
const admittedOf = (...devices: RoomDevice[]): Map<string, RoomDevice> => new Map(devices.map((d) => [d.device, d]));

describe('applyCommit', () => {
  it('founds a group with the committer in leaf 0 and places adds to the right', () => {
    const change = applyCommit(undefined, view(0, [bob, carol]), alice, admittedOf(alice, bob, carol));
    expect(change).toEqual({ ok: true, roster: [alice, bob, carol], added: [bob, carol] });
  });

  it('removes first, then fills the leftmost blank leaf, and trims blank leaves at the right', () => {
    const roster: Roster = [alice, bob, carol];
    expect(applyCommit(roster, view(0, [dave], [1]), alice, admittedOf(alice, carol, dave))).toMatchObject({ ok: true, roster: [alice, dave, carol] });
    expect(applyCommit(roster, view(0, [], [2]), alice, admittedOf(alice, bob))).toMatchObject({ ok: true, roster: [alice, bob] });
    expect(applyCommit([alice, null, carol], view(2, [dave]), carol, admittedOf(alice, carol, dave))).toMatchObject({ ok: true, roster: [alice, dave, carol] });
  });

  it('refuses a sender leaf that is not the committing device', () => {
    expect(applyCommit([alice, bob], view(1), alice, admittedOf(alice, bob))).toMatchObject({ ok: false });
    expect(applyCommit(undefined, view(1), alice, admittedOf(alice))).toMatchObject({ ok: false });
  });

  it('refuses adds of devices not admitted, admitted for another user, or in the group already', () => {
    expect(applyCommit([alice], view(0, [bob]), alice, admittedOf(alice))).toMatchObject({ ok: false, reason: expect.stringMatching(/not admitted/) });
    expect(applyCommit([alice], view(0, [{ ...bob, userId: 'mallory' }]), alice, admittedOf(alice, bob))).toMatchObject({ ok: false });
    expect(applyCommit([alice, bob], view(0, [bob]), alice, admittedOf(alice, bob))).toMatchObject({ ok: false, reason: expect.stringMatching(/already/) });
  });

  it('refuses removes of admitted devices, of the committer, of blank leaves, and twice', () => {
    const roster: Roster = [alice, bob, null];
    expect(applyCommit(roster, view(0, [], [1]), alice, admittedOf(alice, bob))).toMatchObject({ ok: false, reason: expect.stringMatching(/still admitted/) });
    expect(applyCommit(roster, view(0, [], [0]), alice, admittedOf())).toMatchObject({ ok: false, reason: expect.stringMatching(/itself/) });
    expect(applyCommit(roster, view(0, [], [2]), alice, admittedOf(alice))).toMatchObject({ ok: false, reason: expect.stringMatching(/no member/) });
    expect(applyCommit(roster, view(0, [], [1, 1]), alice, admittedOf(alice))).toMatchObject({ ok: false, reason: expect.stringMatching(/twice/) });
  });
});
