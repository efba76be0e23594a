import { expect, it } from 'vitest';
import type { DeliveryServiceStore, GroupRecord } from '../../src/index.ts';

const alice = { userId: 'alice', device: 'QUxJQ0U=' };
const bob = { userId: 'bob', device: 'Qk9C' };

function record(epoch: number): GroupRecord {
  return { groupId: 'R1JPVVA=', epoch, roster: [alice] };
}

function entry(epoch: number, commit = `c${epoch}`) {
  return { epoch, commit, added: [] };
}

/** What every Delivery Service store must do; `fresh` gives an empty store. */
export function deliveryServiceStoreContract(fresh: () => Promise<DeliveryServiceStore>): void {
  it('accepts exactly one commit per epoch, and keeps the log in epoch order', async () => {
    const store = await fresh();
    const outcomes = await Promise.all([store.commit('r', record(1), entry(0, 'first'), 10), store.commit('r', record(1), entry(0, 'second'), 10)]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await store.commit('r', record(2), entry(0, 'late'), 10)).toBe(false);
    expect(await store.commit('r', record(2), entry(1), 10)).toBe(true);
    expect((await store.group('r'))?.epoch).toBe(2);
    const { entries, complete } = await store.log('r', 0);
    expect(complete).toBe(true);
    expect(entries.map((logged) => logged.epoch)).toEqual([0, 1]);
    expect(entries[0]!.commit).toBe(outcomes[0] ? 'first' : 'second');
  });

  it('keeps the last maxLog commits and says when a log is no longer complete', async () => {
    const store = await fresh();
    for (let epoch = 0; epoch < 5; epoch += 1) expect(await store.commit('r', record(epoch + 1), entry(epoch), 3)).toBe(true);
    expect(await store.log('r', 1)).toMatchObject({ complete: false });
    expect(await store.log('r', 2)).toMatchObject({ complete: true, entries: [{ epoch: 2 }, { epoch: 3 }, { epoch: 4 }] });
    expect(await store.log('r', 5)).toEqual({ complete: true, entries: [] });
  });

  it('hands out KeyPackages oldest first, then the last-resort one without consuming it', async () => {
    const store = await fresh();
    expect(await store.putKeyPackages(alice.device, ['k1', 'k2', 'k3'], 'last', 2)).toBe(2);
    expect([await store.takeKeyPackage(alice.device), await store.takeKeyPackage(alice.device)]).toEqual(['k2', 'k3']);
    expect([await store.takeKeyPackage(alice.device), await store.takeKeyPackage(alice.device)]).toEqual(['last', 'last']);
    expect(await store.takeKeyPackage(bob.device)).toBeUndefined();
  });

  it('replaces a device\'s KeyPackages with the ones it published last, keeping its last-resort one unless given another', async () => {
    const store = await fresh();
    await store.putKeyPackages(alice.device, ['old1', 'old2'], 'last-old', 10);
    expect(await store.putKeyPackages(alice.device, ['new1'], undefined, 10)).toBe(1);
    expect([await store.takeKeyPackage(alice.device), await store.takeKeyPackage(alice.device)]).toEqual(['new1', 'last-old']);
    await store.putKeyPackages(alice.device, [], 'last-new', 10);
    expect(await store.takeKeyPackage(alice.device)).toBe('last-new');
  });

  it('admits and dismisses devices per room, the latest connection kept', async () => {
    const store = await fresh();
    await store.admit('r', { ...alice, clientId: 'a1' });
    await store.admit('r', { ...bob, clientId: 'b1' });
    await store.admit('r', { ...alice, clientId: 'a2' });
    expect((await store.admitted('r')).sort((x, y) => x.userId.localeCompare(y.userId))).toEqual([{ ...alice, clientId: 'a2' }, { ...bob, clientId: 'b1' }]);
    await store.dismiss('r', alice.device);
    expect(await store.admitted('r')).toEqual([{ ...bob, clientId: 'b1' }]);
    expect(await store.admitted('other')).toEqual([]);
  });
}
