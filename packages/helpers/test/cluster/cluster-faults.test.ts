import { afterEach, describe, expect, it } from 'vitest';
import { startNode, waitForSubscribers, type ClusterNode } from '../support/cluster.ts';
import { TestClient, useRedisServer } from '@sealed/test-support';

const redisServer = useRedisServer();
const nodes: ClusterNode[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(nodes.splice(0).map((node) => node.close()));
});

async function member(node: ClusterNode, user: string): Promise<TestClient> {
  const { client } = await TestClient.authenticated(node.url, { token: user });
  clients.push(client);
  client.send('join', { rooms: ['lobby'] });
  await client.next('joined');
  return client;
}

describe('when Redis goes away', () => {
  it('keeps local delivery going, counts what it could not relay, and resumes once Redis is back', async () => {
    nodes.push(await startNode(redisServer.current), await startNode(redisServer.current));
    const [a, b] = nodes as [ClusterNode, ClusterNode];
    const alice = await member(a, 'alice');
    const bob = await member(b, 'bob');
    await waitForSubscribers(redisServer.current, 'sealed:room:lobby', 2);

    await a.helper.sendToRoom({ room: 'lobby', event: 'news', data: 'before' });
    expect((await bob.next('news')).data).toBe('before');

    await redisServer.current.stop();
    await expect.poll(() => a.bus.connected).toBe(false);
    const during = await a.helper.sendToRoom({ room: 'lobby', event: 'news', data: 'during' });
    expect(during).toEqual({ recipients: 1, delivered: 1, dropped: 0 });
    expect((await alice.next('news', 2_000)).data).toBe('before');
    expect((await alice.next('news', 2_000)).data).toBe('during');
    expect(a.helper.getMetrics().busPublishFailures).toBe(1);

    await redisServer.current.restart();
    await waitForSubscribers(redisServer.current, 'sealed:room:lobby', 2);
    await expect.poll(() => a.bus.connected, { timeout: 10_000 }).toBe(true);
    await a.helper.sendToRoom({ room: 'lobby', event: 'news', data: 'after' });
    expect((await bob.next('news')).data).toBe('after');
    expect(bob.all('news').map((message) => message.data)).toEqual(['before', 'after']);
    expect(a.bus.stats.reconnects).toBeGreaterThan(0);
  });
});
