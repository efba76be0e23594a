import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClient, useRedisServer } from '@sealed/test-support';
import { RedisPresenceStore } from '../../src/index.ts';
import { ServerEvent } from '../../src/protocol/index.ts';
import { BUS_SECRET, startNode, waitForSubscribers, type ClusterNode } from '../support/cluster.ts';

const INSTANCE = fileURLToPath(new URL('../fixtures/presence-instance.ts', import.meta.url));
const LISTENING = /listening (ws:\/\/\S+)/;
/** Short, so a killed instance's members vanish within the test; its heartbeat runs every third of it. */
const PRESENCE_TTL_MS = 600;

const redisServer = useRedisServer();
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await redisServer.current.command(['FLUSHALL']);
});

const tracksPresence = ({ room }: { room: string }) => room.startsWith('team-');

/** An instance in this process, with its own bus and presence store. */
async function localInstance(): Promise<ClusterNode> {
  const presenceStore = new RedisPresenceStore({ url: redisServer.current.url });
  await presenceStore.start();
  closers.push(() => presenceStore.close());
  const node = await startNode(redisServer.current, { roomPresenceFn: tracksPresence, presenceStore, presenceTtlMs: PRESENCE_TTL_MS });
  closers.push(() => node.close());
  return node;
}

/** An instance in a process of its own, which a test can kill. */
async function processInstance(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', INSTANCE], {
    env: { ...process.env, REDIS_URL: redisServer.current.url, BUS_SECRET, PRESENCE_TTL_MS: String(PRESENCE_TTL_MS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  closers.push(() => child.kill('SIGKILL'));
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = LISTENING.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`instance exited with ${code}: ${output}`)));
  });
  return { url, child };
}

async function memberOn(url: string, user: string): Promise<TestClient> {
  const client = await TestClient.as(url, user, ['team-a']);
  closers.push(() => client.close());
  return client;
}

const users = (members: readonly { userId: string }[]) => members.map((member) => member.userId).sort();

describe('presence across instances', () => {
  it('gives the same members on every instance, announces joins across them, and drops a killed instance\'s members within the expiry', async () => {
    const local = await localInstance();
    const remote = await processInstance();
    const alice = await memberOn(local.url, 'alice');
    await waitForSubscribers(redisServer.current, 'sealed:room:team-a', 1);
    const bob = await memberOn(remote.url, 'bob');
    expect(users(bob.all('joined')[0]!.data.members['team-a'])).toEqual(['alice', 'bob']);
    expect((await alice.next(ServerEvent.PRESENCE)).data).toEqual({ room: 'team-a', joined: [{ clientId: bob.id, userId: 'bob' }], left: [] });

    expect(users(await local.helper.getPresence({ room: 'team-a' }))).toEqual(['alice', 'bob']);
    bob.sendRaw(JSON.stringify({ event: 'sealed:members', data: { room: 'team-a' }, ack: 1 }));
    expect(users((await bob.next('sealed:reply')).data.result.members)).toEqual(['alice', 'bob']);

    const killedAt = Date.now();
    remote.child.kill('SIGKILL');
    const left = await alice.next(ServerEvent.PRESENCE, PRESENCE_TTL_MS * 4);
    expect(left.data).toEqual({ room: 'team-a', joined: [], left: [{ clientId: bob.id, userId: 'bob' }] });
    expect(Date.now() - killedAt).toBeLessThan(PRESENCE_TTL_MS * 2);
    expect(users(await local.helper.getPresence({ room: 'team-a' }))).toEqual(['alice']);
  });
});
