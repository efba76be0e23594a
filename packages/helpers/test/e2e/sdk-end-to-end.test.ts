import { afterEach, describe, expect, it } from 'vitest';
import { ClientFailureCode, ClientLifecycleEvent, SealedClientState, type ClientLifecycleEvents, type SealedClient } from '../../src/client/index.ts';
import { CloseCode, ErrorCode } from '../../src/index.ts';
import { nextEvent } from '../support/mls-member.ts';
import { nodeCrypto, sdkClient } from '../support/secure-test-server.ts';
import { startEndToEndServer, type EndToEndServer } from '../support/end-to-end-server.ts';
import { tokenAuthenticate } from '../support/test-server.ts';

const ROOM = 'secret-garden';
type MembersChange = ClientLifecycleEvents['sealed:room-members'];
type RoomMessage = ClientLifecycleEvents['sealed:room-message'];

let server: EndToEndServer | undefined;
const clients: SealedClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

async function connect(user: string, options: Parameters<typeof sdkClient>[2] = {}): Promise<SealedClient> {
  const client = sdkClient(server!.url, user, options);
  clients.push(client);
  await client.connect();
  return client;
}

/** Resolves once the client's view of the room's group has `count` members, itself among them. */
function groupOf(client: SealedClient, count: number): Promise<MembersChange> {
  return nextEvent<MembersChange>(client, ClientLifecycleEvent.ROOM_MEMBERS, (change) => change.room === ROOM && change.member && change.members.length === count);
}

/** Three users join an end-to-end room; the SDKs make the group among themselves. */
async function roomOfThree(): Promise<[SealedClient, SealedClient, SealedClient]> {
  const [alice, bob, carol] = [await connect('alice'), await connect('bob'), await connect('carol')];
  const ready = [alice, bob, carol].map((client) => groupOf(client, 3));
  for (const client of [alice, bob, carol]) await client.join([ROOM]);
  await Promise.all(ready);
  return [alice, bob, carol];
}

describe('end-to-end rooms in the SDK', () => {
  it('makes the group on join with no application code, and delivers messages the server never reads', async () => {
    server = await startEndToEndServer();
    const [alice, bob, carol] = await roomOfThree();
    const views = [alice, bob, carol].map((client) => client.roomDevices(ROOM).map((device) => device.userId).sort());
    expect(views).toEqual([['alice', 'bob', 'carol'], ['alice', 'bob', 'carol'], ['alice', 'bob', 'carol']]);

    const atBob = nextEvent<{ text: string }>(bob, 'chat');
    const detailAtCarol = nextEvent<RoomMessage>(carol, ClientLifecycleEvent.ROOM_MESSAGE);
    await alice.sendToRoom(ROOM, 'chat', { text: 'the key is under the third stone' });
    expect(await atBob).toEqual({ text: 'the key is under the third stone' });
    const detail = await detailAtCarol;
    expect(detail).toMatchObject({ room: ROOM, event: 'chat', sender: { userId: 'alice', device: alice.identityPublicKey }, data: { text: 'the key is under the third stone' } });
    expect(detail.sender.fingerprint).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4})+$/);
    expect(server.view.seen.filter((frame) => frame.includes('third stone'))).toEqual([]);
  });

  it('removes a device that leaves: it no longer receives or reads the room, and the others go on', async () => {
    server = await startEndToEndServer();
    const [alice, bob, carol] = await roomOfThree();
    const shrunk = [alice, bob].map((client) => groupOf(client, 2));
    await carol.leave([ROOM]);
    await Promise.all(shrunk);
    expect(carol.roomDevices(ROOM)).toEqual([]);
    const heardByCarol: unknown[] = [];
    carol.on('chat', (data) => heardByCarol.push(data));
    const atBob = nextEvent<{ n: number }>(bob, 'chat');
    await alice.sendToRoom(ROOM, 'chat', { n: 1 });
    expect(await atBob).toEqual({ n: 1 });
    await expect(carol.sendToRoom(ROOM, 'chat', { n: 2 })).rejects.toMatchObject({ code: ClientFailureCode.E2E_NOT_MEMBER });
    expect(heardByCarol).toEqual([]);
  });

  it('removes a device the application takes out of the room (leaveRoom): the members commit its removal', async () => {
    server = await startEndToEndServer();
    const [alice, bob, carol] = await roomOfThree();
    const shrunk = [alice, bob].map((client) => groupOf(client, 2));
    expect(server.helper.leaveRoom({ clientId: carol.connection!.clientId, rooms: [ROOM] })).toEqual([ROOM]);
    const remaining = await Promise.all(shrunk);
    for (const change of remaining) expect(change.members.map((member) => member.userId).sort()).toEqual(['alice', 'bob']);
    // The server no longer relays the room to carol, nor from her.
    await expect(carol.sendToRoom(ROOM, 'chat', {})).rejects.toMatchObject({ code: ErrorCode.NOT_END_TO_END });
  });

  it('gives each device of a user its own leaf, and both read the room', async () => {
    server = await startEndToEndServer({}, { enrollDeviceFn: () => true });
    const alice = await connect('alice');
    const [laptop, phone] = [await connect('bob'), await connect('bob')];
    const ready = [alice, laptop, phone].map((client) => groupOf(client, 3));
    for (const client of [alice, laptop, phone]) await client.join([ROOM]);
    await Promise.all(ready);
    expect(alice.roomDevices(ROOM).filter((device) => device.userId === 'bob').map((device) => device.device).sort()).toEqual(
      [laptop.identityPublicKey, phone.identityPublicKey].sort(),
    );
    const arrivals = [laptop, phone].map((client) => nextEvent<{ text: string }>(client, 'chat'));
    await alice.sendToRoom(ROOM, 'chat', { text: 'to both devices' });
    for (const arrival of arrivals) expect(await arrival).toEqual({ text: 'to both devices' });
  });

  it('refuses to send before the device is in the group, and keeps refusing only that', async () => {
    server = await startEndToEndServer();
    const alice = await connect('alice');
    await expect(alice.sendToRoom(ROOM, 'chat', {})).rejects.toMatchObject({ code: ClientFailureCode.E2E_NOT_MEMBER });
    const founded = groupOf(alice, 1);
    await alice.join([ROOM]);
    await founded;
    const bob = await connect('bob');
    const ready = [alice, bob].map((client) => groupOf(client, 2));
    await bob.join([ROOM]);
    await Promise.all(ready);
    const atAlice = nextEvent<{ ok: boolean }>(alice, 'chat');
    await bob.sendToRoom(ROOM, 'chat', { ok: true });
    expect(await atAlice).toEqual({ ok: true });
  });

  it('keeps a device in its rooms across a new client with its identity and state store; without the store it says the state is lost', async () => {
    server = await startEndToEndServer();
    const kept = new Map<string, string>();
    const stateStore = { get: (room: string) => kept.get(room), set: (room: string, state: string) => void kept.set(room, state), delete: (room: string) => void kept.delete(room) };
    const identity = nodeCrypto.ed25519KeyPair();
    const alice = await connect('alice');
    const firstPage = await connect('bob', { identity, endToEnd: { stateStore } });
    const ready = [alice, firstPage].map((client) => groupOf(client, 2));
    for (const client of [alice, firstPage]) await client.join([ROOM]);
    await Promise.all(ready);
    expect(kept.has(ROOM)).toBe(true);
    firstPage.close();

    // A reload: a new client of the same device, with what the first one kept.
    const secondPage = await connect('bob', { identity, endToEnd: { stateStore } });
    const restored = groupOf(secondPage, 2);
    await secondPage.join([ROOM]);
    await restored;
    const atBob = nextEvent<{ text: string }>(secondPage, 'chat');
    await alice.sendToRoom(ROOM, 'chat', { text: 'after the reload' });
    expect(await atBob).toEqual({ text: 'after the reload' });
    secondPage.close();

    // The same device without its kept state cannot read the room, and says so.
    const bareDevice = await connect('bob', { identity });
    const lost = nextEvent<{ code: string }>(bareDevice, ClientLifecycleEvent.ERROR, ({ code }) => code === ClientFailureCode.E2E_STATE_LOST);
    await bareDevice.join([ROOM]);
    expect((await lost).code).toBe(ClientFailureCode.E2E_STATE_LOST);
  });

  it('comes back after a dropped connection: rejoins, catches up with the commits it missed, and reads on', async () => {
    // Bob's reconnection is held at authentication until carol is in the group: he cannot see alice's commit live.
    let carolAdded!: () => void;
    const carolInGroup = new Promise<void>((resolve) => (carolAdded = resolve));
    let bobSessions = 0;
    server = await startEndToEndServer({
      authenticateFn: async (context) => {
        const user = await tokenAuthenticate(context);
        if (user && user.userId === 'bob' && (bobSessions += 1) > 1) await carolInGroup;
        return user;
      },
    });
    const fastReconnect = { reconnect: { enabled: true, initialDelayMs: 20, maxDelayMs: 20, jitter: 0 } };
    const alice = await connect('alice');
    const bob = await connect('bob', fastReconnect);
    const ready = [alice, bob].map((client) => groupOf(client, 2));
    for (const client of [alice, bob]) await client.join([ROOM]);
    await Promise.all(ready);

    server.helper.disconnect({ clientId: bob.connection!.clientId, code: CloseCode.GOING_AWAY });
    // While bob is away, carol joins and alice adds her: bob misses that commit.
    const carol = await connect('carol');
    const carolIn = groupOf(carol, 3);
    await carol.join([ROOM]);
    await carolIn;
    await expect.poll(() => bobSessions).toBe(2);
    expect(bob.state).not.toBe(SealedClientState.OPEN);
    const rejoined = nextEvent(bob, ClientLifecycleEvent.REJOINED);
    const bobSeesCarol = groupOf(bob, 3);
    carolAdded();
    await rejoined;
    await bobSeesCarol;
    const atBob = nextEvent<{ n: number }>(bob, 'chat');
    await carol.sendToRoom(ROOM, 'chat', { n: 7 });
    expect(await atBob).toEqual({ n: 7 });
  });
});
