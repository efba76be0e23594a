import { describe, expect, it } from 'vitest';
import { toBase64 } from '../../crypto/bytes.ts';
import { NodeCryptoProvider } from '../../crypto/node-crypto-provider.ts';
import { DeviceKeyPackages } from './device-key-packages.ts';
import { GroupMessageError, RoomGroup } from './room-group.ts';

const crypto = new NodeCryptoProvider();
const ROOM = 'secret-unit';

/** Alice founds the room's group and adds bob, who joins from the Welcome. */
async function pair(): Promise<{ alice: RoomGroup; bob: RoomGroup; bobKey: string }> {
  const aliceKey = crypto.ed25519KeyPair();
  const bobKey = crypto.ed25519KeyPair();
  const [aliceOwn] = await new DeviceKeyPackages(() => aliceKey).make('alice', 1);
  const bobPackages = new DeviceKeyPackages(() => bobKey);
  const [bobPackage] = await bobPackages.make('bob', 1);
  const alice = await RoomGroup.found(ROOM, aliceOwn!, crypto.randomBytes(16));
  const adding = await alice.commit([bobPackage!.publicPackage], []);
  alice.adopt(adding);
  const bob = (await RoomGroup.join(ROOM, adding.welcome!, bobPackages.held))!;
  return { alice, bob, bobKey: toBase64(bobKey.publicKey) };
}

describe('RoomGroup', () => {
  it('decrypts what another member encrypted, naming the member that signed it', async () => {
    const { alice, bob } = await pair();
    expect(bob.epoch).toBe(1);
    expect(bob.members.map((member) => member.userId)).toEqual(['alice', 'bob']);
    const opened = await bob.decrypt('chat', await alice.encrypt('chat', { text: 'hi' }));
    expect(opened.data).toEqual({ text: 'hi' });
    expect(opened.sender.userId).toBe('alice');
  });

  it('refuses a message under another event or room, tampered, or played twice', async () => {
    const { alice, bob } = await pair();
    const message = await alice.encrypt('chat', { text: 'once' });
    await expect(bob.decrypt('other-event', message)).rejects.toThrow(GroupMessageError);
    // The same keys under another room's name: the bound room does not match.
    const inOtherRoom = RoomGroup.restore('secret-other', bob.save())!;
    await expect(inOtherRoom.decrypt('chat', message)).rejects.toThrow(/another room or event/);
    const tampered = Buffer.from(message, 'base64');
    tampered[tampered.length - 3]! ^= 0x01;
    await expect(bob.decrypt('chat', tampered.toString('base64'))).rejects.toThrow(GroupMessageError);
    expect((await bob.decrypt('chat', message)).data).toEqual({ text: 'once' });
    await expect(bob.decrypt('chat', message)).rejects.toThrow(GroupMessageError);
  });

  it('leaves a removed member out of what comes after', async () => {
    const { alice, bob, bobKey } = await pair();
    const removing = await alice.commit([], [alice.leafOf(bobKey)!]);
    alice.adopt(removing);
    await bob.process(removing.commit);
    expect(bob.active).toBe(false);
    expect(alice.members.map((member) => member.userId)).toEqual(['alice']);
    await expect(bob.decrypt('chat', await alice.encrypt('chat', { text: 'after' }))).rejects.toThrow(GroupMessageError);
  });
});
