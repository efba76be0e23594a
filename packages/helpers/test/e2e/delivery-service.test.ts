import { afterEach, describe, expect, it } from 'vitest';
import { encodeMlsMessage } from 'ts-mls';
import { TestClient } from '@sealed/test-support';
import { ErrorCode, InMemoryDeliveryServiceStore } from '../../src/index.ts';
import { ClientEvent, ServerEvent } from '../../src/protocol/event-names.ts';
import { toBase64 } from '../../src/crypto/bytes.ts';
import { MlsMember, encodeKeyPackage, formGroup, nextEvent } from '../support/mls-member.ts';
import { nodeCrypto, type SecureTestServer } from '../support/secure-test-server.ts';
import { startEndToEndServer, type EndToEndServer, type ServerView } from '../support/end-to-end-server.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const ROOM = 'secret-room';

let server: SecureTestServer | TestServer | undefined;

/** Keeps the server the test started, for `afterEach` to close; resolves with its view of every frame. */
async function started(starting: Promise<EndToEndServer>): Promise<ServerView> {
  const { view, ...secure } = await starting;
  server = secure;
  return view;
}
const members: MlsMember[] = [];
afterEach(async () => {
  for (const member of members.splice(0)) member.close();
  await server?.close();
  server = undefined;
});

async function member(user: string, identity = nodeCrypto.ed25519KeyPair()): Promise<MlsMember> {
  const joined = await MlsMember.connect(server!.url, user, identity);
  members.push(joined);
  return joined;
}

/** Alice founds the room's group; bob and carol join the room and are added from their Welcomes. */
async function roomOfThree(): Promise<{ alice: MlsMember; bob: MlsMember; carol: MlsMember }> {
  const [alice, bob, carol] = [await member('alice'), await member('bob'), await member('carol')];
  await formGroup(ROOM, alice, [bob, carol]);
  return { alice, bob, carol };
}

describe('end-to-end rooms: the server as MLS Delivery Service', () => {
  it('three members chat, and the server process never holds the plaintext', async () => {
    const view = await started(startEndToEndServer());
    const { alice, bob, carol } = await roomOfThree();
    expect([alice.epoch, bob.epoch, carol.epoch]).toEqual([1, 1, 1]);

    const secrets = ['meet at the old mill', 'bring the map', 'midnight'];
    const senders = [alice, bob, carol];
    for (const [index, sender] of senders.entries()) {
      const others = senders.filter((other) => other !== sender);
      const arrivals = others.map((other) => nextEvent<{ event: string; sender: { userId: string }; message: string }>(other.client, ServerEvent.MLS_MESSAGE));
      await sender.send(ROOM, 'chat', secrets[index]!);
      for (const [at, arrival] of arrivals.entries()) {
        const relayed = await arrival;
        expect(relayed.sender.userId).toBe(sender.user);
        expect(await others[at]!.decrypt(ROOM, relayed.event, relayed.message)).toBe(secrets[index]);
      }
    }
    // Everything the server process had in hand, both ways: MLS ciphertext, never the text.
    expect(view.seen.some((frame) => frame.includes(ClientEvent.MLS_SEND))).toBe(true);
    for (const secret of secrets) expect(view.seen.filter((frame) => frame.includes(secret))).toEqual([]);
  });

  it('accepts exactly one of two commits made in the same epoch; the other retries and all end in one epoch', async () => {
    await started(startEndToEndServer());
    const { alice, bob, carol } = await roomOfThree();
    const [fromAlice, fromBob] = [await alice.commitOf([]), await bob.commitOf([])];
    const heardByCarol = nextEvent<{ commit: string; epoch: number }>(carol.client, ServerEvent.MLS_COMMIT);
    const outcomes = await Promise.allSettled([alice.sendCommit(ROOM, fromAlice), bob.sendCommit(ROOM, fromBob)]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const [winner, loser] = outcomes[0]!.status === 'fulfilled' ? [alice, bob] : [bob, alice];
    const refusal = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
    expect(refusal.reason).toMatchObject({ code: ErrorCode.EPOCH_CONFLICT });

    // The loser still holds the state from before its commit (applied only once accepted); it catches up from the log and commits again.
    const { commits } = (await loser.client.request(ClientEvent.MLS_LOG, { room: ROOM, since: 1 })) as { commits: Array<{ commit: string; epoch: number }> };
    expect(commits.map((entry) => entry.epoch)).toEqual([1]);
    await loser.process(commits[0]!.commit);
    await carol.process((await heardByCarol).commit);
    const heardAgain = [winner, carol].map((other) => nextEvent<{ commit: string }>(other.client, ServerEvent.MLS_COMMIT));
    expect(await loser.sendCommit(ROOM, await loser.commitOf([]))).toEqual({ epoch: 3 });
    for (const [at, other] of [winner, carol].entries()) await other.process((await heardAgain[at]!).commit);
    expect([alice.epoch, bob.epoch, carol.epoch]).toEqual([3, 3, 3]);
    const treeHashes = [alice, bob, carol].map((device) => Buffer.from(device.state!.groupContext.treeHash).toString('hex'));
    expect(new Set(treeHashes).size).toBe(1);
  });

  it('a removed member cannot read what is sent after, and a member added later cannot read what was sent before', async () => {
    await started(startEndToEndServer());
    const { alice, bob, carol } = await roomOfThree();
    const before = await alice.send(ROOM, 'chat', 'before dave');

    // Carol leaves: the room's members are told, and alice commits her removal.
    const leaving = nextEvent<{ left: Array<{ device: string }> }>(alice.client, ServerEvent.MLS_WAITING, ({ left }) => left.length > 0);
    const heardByBob = nextEvent<{ commit: string }>(bob.client, ServerEvent.MLS_COMMIT);
    await carol.client.leave([ROOM]);
    expect((await leaving).left.map((device) => device.device)).toEqual([carol.device]);
    await alice.remove(ROOM, [carol.device]);
    await bob.process((await heardByBob).commit);

    const dave = await member('dave');
    await dave.publish();
    const welcome = nextEvent<{ welcome: string }>(dave.client, ServerEvent.MLS_WELCOME);
    const heardByBobAgain = nextEvent<{ commit: string }>(bob.client, ServerEvent.MLS_COMMIT);
    await dave.client.join([ROOM]);
    await alice.add(ROOM, [dave.device]);
    await dave.join((await welcome).welcome);
    await bob.process((await heardByBobAgain).commit);

    const toBob = nextEvent<{ message: string }>(bob.client, ServerEvent.MLS_MESSAGE);
    const after = await alice.send(ROOM, 'chat', 'after carol');
    expect(await bob.decrypt(ROOM, 'chat', (await toBob).message)).toBe('after carol');
    // Carol got nothing after she left, and could not read it if she had.
    await expect(carol.decrypt(ROOM, 'chat', after)).rejects.toThrow();
    // Dave reads what came after he was added, and not what came before.
    expect(await dave.decrypt(ROOM, 'chat', await alice.encrypt(ROOM, 'chat', 'welcome dave'))).toBe('welcome dave');
    await expect(dave.decrypt(ROOM, 'chat', before)).rejects.toThrow();
  });

  it('two devices of one user both read the room', async () => {
    await started(startEndToEndServer({}, { enrollDeviceFn: () => true }));
    const alice = await member('alice');
    const [laptop, phone] = [await member('bob'), await member('bob')];
    expect(laptop.device).not.toBe(phone.device);
    for (const device of [laptop, phone]) await device.publish();
    await alice.client.join([ROOM]);
    await alice.found(ROOM);
    const welcomes = [laptop, phone].map((device) => nextEvent<{ welcome: string }>(device.client, ServerEvent.MLS_WELCOME));
    await laptop.client.join([ROOM]);
    await phone.client.join([ROOM]);
    await alice.add(ROOM, [laptop.device, phone.device]);
    for (const [at, device] of [laptop, phone].entries()) await device.join((await welcomes[at]!).welcome);
    const arrivals = [laptop, phone].map((device) => nextEvent<{ message: string }>(device.client, ServerEvent.MLS_MESSAGE));
    await alice.send(ROOM, 'chat', 'for both of your devices');
    for (const [at, device] of [laptop, phone].entries()) expect(await device.decrypt(ROOM, 'chat', (await arrivals[at]!).message)).toBe('for both of your devices');
  });

  it('refuses, with the documented error, what the application did not allow or MLS does not say', async () => {
    await started(startEndToEndServer());
    const { alice, bob } = await roomOfThree();
    const mallory = await member('mallory');

    // A KeyPackage for another user, or signed with another key than the device's.
    const forged = encodeKeyPackage(await mallory.keyPackage('alice'));
    await expect(mallory.client.request(ClientEvent.MLS_PUBLISH, { keyPackages: [forged] })).rejects.toMatchObject({ code: ErrorCode.KEY_PACKAGE_REFUSED });
    const otherKey = encodeKeyPackage(await mallory.keyPackage('mallory', nodeCrypto.ed25519KeyPair()));
    await expect(mallory.client.request(ClientEvent.MLS_PUBLISH, { keyPackages: [otherKey] })).rejects.toMatchObject({ code: ErrorCode.KEY_PACKAGE_REFUSED });
    await expect(mallory.client.request(ClientEvent.MLS_PUBLISH, { keyPackages: ['bm90IG1scw=='] })).rejects.toMatchObject({ code: ErrorCode.KEY_PACKAGE_REFUSED });

    // Not in the room: every request about it is refused.
    await expect(mallory.client.request(ClientEvent.MLS_ROOM, { room: ROOM })).rejects.toMatchObject({ code: ErrorCode.NOT_END_TO_END });
    // Mallory published, but did not join: she cannot be added (not admitted), and her KeyPackage cannot be claimed.
    await mallory.publish();
    await expect(alice.client.request(ClientEvent.MLS_CLAIM, { room: ROOM, device: mallory.device })).rejects.toMatchObject({ code: ErrorCode.NO_KEY_PACKAGE });
    const addMallory = await alice.commitOf([{ proposalType: 'add', add: { keyPackage: (await mallory.keyPackage()).publicPackage } }]);
    await expect(alice.sendCommit(ROOM, addMallory)).rejects.toMatchObject({ code: ErrorCode.COMMIT_REFUSED });

    // In the room but not in the group: her own group's commit is not the room's group, and she is not its member.
    await mallory.client.join([ROOM]);
    await mallory.found(ROOM);
    const ownGroup = await mallory.commitOf([]);
    await expect(mallory.sendCommit(ROOM, ownGroup)).rejects.toMatchObject({ code: ErrorCode.EPOCH_CONFLICT });
    await expect(mallory.client.request(ClientEvent.MLS_SEND, { room: ROOM, event: 'chat', message: await mallory.encrypt(ROOM, 'chat', 'x') })).rejects.toMatchObject({
      code: ErrorCode.MLS_MESSAGE_REFUSED,
    });
    // Removing bob, who is still in the room, is not what the application allowed.
    await expect(alice.remove(ROOM, [bob.device])).rejects.toMatchObject({ code: ErrorCode.COMMIT_REFUSED });
    // A commit as a PrivateMessage, and bytes that are no MLS message.
    await expect(alice.client.request(ClientEvent.MLS_COMMIT, { room: ROOM, epoch: 1, commit: await alice.encrypt(ROOM, 'chat', 'x') })).rejects.toMatchObject({
      code: ErrorCode.COMMIT_REFUSED,
    });
    await expect(alice.client.request(ClientEvent.MLS_SEND, { room: ROOM, event: 'chat', message: 'AAAA' })).rejects.toMatchObject({ code: ErrorCode.MLS_MESSAGE_REFUSED });
    // A request naming another epoch than its commit's own: refused, not a conflict to catch up on.
    const empty = await alice.commitOf([]);
    await expect(
      alice.client.request(ClientEvent.MLS_COMMIT, { room: ROOM, epoch: alice.epoch + 1, commit: toBase64(encodeMlsMessage(empty.commit)) }),
    ).rejects.toMatchObject({ code: ErrorCode.COMMIT_REFUSED });
    // The group went on unharmed: bob still reads alice.
    const toBob = nextEvent<{ message: string }>(bob.client, ServerEvent.MLS_MESSAGE);
    await alice.send(ROOM, 'chat', 'still here');
    expect(await bob.decrypt(ROOM, 'chat', (await toBob).message)).toBe('still here');
  });

  it('binds a message to its room and event: tampered, or replayed under another event or into another room, it is refused', async () => {
    await started(startEndToEndServer());
    const { alice, bob } = await roomOfThree();
    const message = await alice.encrypt(ROOM, 'chat', 'bound');
    await expect(bob.decrypt(ROOM, 'other-event', message)).rejects.toThrow(/another room or event/);
    await expect(bob.decrypt('secret-other', 'chat', message)).rejects.toThrow(/another room or event/);
    const tampered = Buffer.from(message, 'base64');
    tampered[tampered.length - 5]! ^= 0x01;
    await expect(bob.decrypt(ROOM, 'chat', tampered.toString('base64'))).rejects.toThrow();
    expect(await bob.decrypt(ROOM, 'chat', message)).toBe('bound');
  });

  it('tells the members again that a device waits once it publishes KeyPackages it did not have when it joined', async () => {
    await started(startEndToEndServer());
    const [alice, bob] = [await member('alice'), await member('bob')];
    await alice.client.join([ROOM]);
    await alice.found(ROOM);
    const waitingAtJoin = nextEvent<{ joined: Array<{ device: string }> }>(alice.client, ServerEvent.MLS_WAITING, ({ joined }) => joined.some((d) => d.device === bob.device));
    await bob.client.join([ROOM]);
    await waitingAtJoin;
    // Told at the join, alice finds nothing to claim yet.
    await expect(alice.client.request(ClientEvent.MLS_CLAIM, { room: ROOM, device: bob.device })).rejects.toMatchObject({ code: ErrorCode.NO_KEY_PACKAGE });

    const waitingAgain = nextEvent<{ joined: Array<{ device: string }> }>(alice.client, ServerEvent.MLS_WAITING, ({ joined }) => joined.some((d) => d.device === bob.device));
    await bob.publish();
    await waitingAgain;
    const welcome = nextEvent<{ welcome: string }>(bob.client, ServerEvent.MLS_WELCOME);
    expect(await alice.add(ROOM, [bob.device])).toEqual({ epoch: 1 });
    await bob.join((await welcome).welcome);
    expect(bob.epoch).toBe(1);

    // A member publishing more KeyPackages is not announced as waiting.
    let announced = 0;
    alice.client.on(ServerEvent.MLS_WAITING, () => (announced += 1));
    await bob.publish();
    // Anything the server sent alice before answering bob reaches her before this answer.
    await alice.client.request(ClientEvent.MLS_ROOM, { room: ROOM });
    expect(announced).toBe(0);
  });

  it('keeps a publish whose announcement to the room fails, and counts the failure', async () => {
    let failing = false;
    class FlakyStore extends InMemoryDeliveryServiceStore {
      override admitted(room: string): ReturnType<InMemoryDeliveryServiceStore['admitted']> {
        return failing ? Promise.reject(new Error('store unavailable')) : super.admitted(room);
      }
    }
    const started = await startEndToEndServer({ deliveryServiceStore: new FlakyStore() });
    server = started;
    const [alice, bob] = [await member('alice'), await member('bob')];
    await alice.client.join([ROOM]);
    await alice.found(ROOM);
    await bob.client.join([ROOM]);
    failing = true;
    expect(await bob.publish()).toEqual({ held: 2 });
    failing = false;
    expect(started.helper.getMetrics().deliveryServiceFailures).toBe(1);
    // The KeyPackages were kept: alice can claim one.
    await expect(alice.client.request(ClientEvent.MLS_CLAIM, { room: ROOM, device: bob.device })).resolves.toMatchObject({ keyPackage: expect.any(String) });
  });

  it('lets only clients with a device key into an end-to-end room', async () => {
    server = await startTestServer({ endToEndRoomFn: ({ room }) => room.startsWith('secret-') });
    const plain = await TestClient.as(server!.url, 'eve', []);
    await plain.send('join', { rooms: [ROOM, 'lobby'] });
    const joined = await plain.next('joined');
    expect(joined.data).toMatchObject({ rooms: ['lobby'], denied: [{ room: ROOM, code: ErrorCode.DEVICE_KEY_REQUIRED }] });
    await plain.close();
  });
});
