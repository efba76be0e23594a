import { afterEach, describe, expect, it } from 'vitest';
import { type SealedClient } from '../../src/client/index.ts';
import { startSecureNode, waitForSubscribers, type ClusterNode } from '../support/cluster.ts';
import { useRedisServer } from '@sealed/test-support';
import { sdkClient } from '../support/secure-test-server.ts';

const redisServer = useRedisServer();
const nodes: ClusterNode[] = [];
const clients: SealedClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(nodes.splice(0).map((node) => node.close()));
});

async function secureNode(): Promise<ClusterNode> {
  const node = await startSecureNode(redisServer.current);
  nodes.push(node);
  return node;
}

describe('encryption at the edge', () => {
  it('delivers what instance A publishes to an encrypted client on instance B under that client\'s own keys', async () => {
    const a = await secureNode();
    const b = await secureNode();
    const onA = sdkClient(a.url, 'alice');
    const onB = sdkClient(b.url, 'bob');
    clients.push(onA, onB);
    for (const client of [onA, onB]) {
      await client.connect();
      await client.join(['lobby']);
    }
    await waitForSubscribers(redisServer.current, 'sealed:room:lobby', 2);

    const atA = new Promise((resolve) => onA.on('news', resolve));
    const atB = new Promise((resolve) => onB.on('news', resolve));
    await a.helper.sendToRoom({ room: 'lobby', event: 'news', data: { text: 'across instances' } });
    expect(await atA).toEqual({ text: 'across instances' });
    expect(await atB).toEqual({ text: 'across instances' });
    const bClientId = onB.connection!.clientId;
    expect(b.helper.getClient({ clientId: bClientId })?.encrypted).toBe(true);
    expect(b.helper.getMetrics()).toMatchObject({ busReceived: 1, encryptedDrops: 0 });
    expect(a.helper.getMetrics().encryptedDrops).toBe(0);
  });
});
