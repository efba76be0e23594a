import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { useRedisServer } from '@sealed/test-support';
import { ClientLifecycleEvent, type ClientLifecycleEvents, type SealedClient } from '../../src/client/index.ts';
import { ErrorCode, RedisDeliveryServiceStore } from '../../src/index.ts';
import { ServerEvent } from '../../src/protocol/event-names.ts';
import { startSecureNode, waitForSubscribers, type ClusterNode } from '../support/cluster.ts';
import { MlsMember, formGroup, nextEvent } from '../support/mls-member.ts';
import { sdkClient } from '../support/secure-test-server.ts';
import { deliveryServiceStoreContract } from '../e2e/delivery-service-store-contract.ts';

const redisServer = useRedisServer();
const nodes: ClusterNode[] = [];
const stores: RedisDeliveryServiceStore[] = [];
const members: MlsMember[] = [];
const clients: SealedClient[] = [];
const ROOM = 'secret-plans';

afterEach(async () => {
  for (const member of members.splice(0)) member.close();
  for (const client of clients.splice(0)) client.close();
  await Promise.all(nodes.splice(0).map((node) => node.close()));
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await redisServer.current.command(['FLUSHALL']);
});

async function startStore(): Promise<RedisDeliveryServiceStore> {
  const store = new RedisDeliveryServiceStore({ url: redisServer.current.url });
  stores.push(store);
  await store.start();
  return store;
}

/** An encrypted instance with its own bus and its own connection to the shared Delivery Service store. */
async function secureNode(): Promise<ClusterNode> {
  const node = await startSecureNode(redisServer.current, {
    validateRoomFn: ({ rooms }) => rooms,
    endToEndRoomFn: ({ room }) => room.startsWith('secret-'),
    deliveryServiceStore: await startStore(),
  });
  nodes.push(node);
  return node;
}

async function member(node: ClusterNode, user: string): Promise<MlsMember> {
  const joined = await MlsMember.connect(node.url, user);
  members.push(joined);
  return joined;
}

describe('RedisDeliveryServiceStore', () => {
  deliveryServiceStoreContract(startStore);

  it('accepts one of two commits of one epoch made through two connections at once', async () => {
    const [first, second] = [await startStore(), await startStore()];
    const record = { groupId: 'R1JPVVA=', epoch: 1, roster: [] };
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, index) => (index % 2 ? first : second).commit('race', record, { epoch: 0, commit: `c${index}`, added: [] }, 10)),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
  });
});

describe('end-to-end rooms across instances', () => {
  it('members on two instances share one group: adds, Welcomes, commits and messages cross the bus, and one commit per epoch wins', async () => {
    const [a, b] = [await secureNode(), await secureNode()];
    const alice = await member(a, 'alice');
    const [bob, carol] = [await member(b, 'bob'), await member(b, 'carol')];
    // Alice's instance hands out KeyPackages bob's instance stored, and delivers the Welcomes to bob's instance.
    await formGroup(ROOM, alice, [bob, carol], (stage) => waitForSubscribers(redisServer.current, `sealed:room:${ROOM}`, stage === 'founded' ? 1 : 2));
    expect([alice.epoch, bob.epoch, carol.epoch]).toEqual([1, 1, 1]);

    const toAlice = nextEvent<{ event: string; message: string }>(alice.client, ServerEvent.MLS_MESSAGE);
    const toCarol = nextEvent<{ event: string; message: string }>(carol.client, ServerEvent.MLS_MESSAGE);
    await bob.send(ROOM, 'chat', 'from instance B');
    expect(await alice.decrypt(ROOM, 'chat', (await toAlice).message)).toBe('from instance B');
    expect(await carol.decrypt(ROOM, 'chat', (await toCarol).message)).toBe('from instance B');

    // Alice on A and bob on B commit in the same epoch: the shared store accepts one.
    const heardByCarol = nextEvent<{ commit: string }>(carol.client, ServerEvent.MLS_COMMIT);
    const outcomes = await Promise.allSettled([alice.sendCommit(ROOM, await alice.commitOf([])), bob.sendCommit(ROOM, await bob.commitOf([]))]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: ErrorCode.EPOCH_CONFLICT });
    const loser = outcomes[0]!.status === 'rejected' ? alice : bob;
    const { commits } = (await loser.client.request('sealed:mls:log', { room: ROOM, since: 1 })) as { commits: Array<{ commit: string }> };
    await loser.process(commits[0]!.commit);
    await carol.process((await heardByCarol).commit);
    expect([alice.epoch, bob.epoch, carol.epoch]).toEqual([2, 2, 2]);
  });
});

describe('end-to-end rooms across instances, through the SDK', () => {
  it('members on two instances chat, and Redis (MONITOR) sees every relayed message and never its text', async () => {
    const [a, b] = [await secureNode(), await secureNode()];
    const monitor = createClient({ url: redisServer.current.url });
    await monitor.connect();
    const seenByRedis: string[] = [];
    await monitor.monitor((line) => seenByRedis.push(String(line)));
    try {
      const connect = async (url: string, user: string): Promise<SealedClient> => {
        const client = sdkClient(url, user);
        clients.push(client);
        await client.connect();
        return client;
      };
      const [alice, bob] = [await connect(a.url, 'alice'), await connect(b.url, 'bob')];
      type MembersChange = ClientLifecycleEvents['sealed:room-members'];
      const ready = [alice, bob].map((client) =>
        nextEvent<MembersChange>(client, ClientLifecycleEvent.ROOM_MEMBERS, (change) => change.member && change.members.length === 2),
      );
      await alice.join([ROOM]);
      await waitForSubscribers(redisServer.current, `sealed:room:${ROOM}`, 1);
      await bob.join([ROOM]);
      await Promise.all(ready);
      const atAlice = nextEvent<{ text: string }>(alice, 'chat');
      await bob.sendToRoom(ROOM, 'chat', { text: 'crossing instances unread' });
      expect(await atAlice).toEqual({ text: 'crossing instances unread' });
      const atBob = nextEvent<{ text: string }>(bob, 'chat');
      await alice.sendToRoom(ROOM, 'chat', { text: 'and back again unread' });
      expect(await atBob).toEqual({ text: 'and back again unread' });
    } finally {
      await monitor.close();
    }
    // Redis carried the group (the store's scripts and the bus's relays of the room's messages), never the text.
    expect(seenByRedis.some((line) => line.includes('sealed:mls:message'))).toBe(true);
    expect(seenByRedis.some((line) => line.includes('sealed:mls:'))).toBe(true);
    expect(seenByRedis.filter((line) => line.includes('unread'))).toEqual([]);
  });
});
