import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { NodeCryptoProvider, createDefaultLogger } from '@sealed/helpers';
import { SealedClient } from '@sealed/helpers/client';
import { useRedisServer } from '@sealed/test-support';
import { ChatApplication } from '../src/chat-application.ts';

const redisServer = useRedisServer();
const apps: ChatApplication[] = [];
const clients: SealedClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(apps.splice(0).map((app) => app.stop()));
});

async function instance(): Promise<string> {
  const app = new ChatApplication({ port: 0, redisUrl: redisServer.current.url, busSecret: 'chat-secret', logger: createDefaultLogger({ level: 'silent' }) });
  apps.push(app);
  const { port } = await app.start();
  return `ws://127.0.0.1:${port}/ws`;
}

describe('two chat instances behind one Redis', () => {
  it('relay chat between people connected to different instances', async () => {
    const first = await instance();
    const second = await instance();
    const alice = new SealedClient({ url: first, credentials: { token: 'alice' }, crypto: new NodeCryptoProvider(), WebSocket: WebSocket });
    const bob = new SealedClient({ url: second, credentials: { token: 'bob' }, crypto: new NodeCryptoProvider(), WebSocket: WebSocket });
    clients.push(alice, bob);
    for (const client of [alice, bob]) {
      await client.connect();
      await client.join(['lobby']);
    }
    const heard = new Promise((resolve) => bob.on('chat', resolve));
    // The room subscription of the second instance is asynchronous: retry until it carries.
    await expect
      .poll(async () => {
        await alice.emit('chat', { room: 'lobby', text: 'across instances' });
        return Promise.race([heard, new Promise((resolve) => setTimeout(() => resolve(undefined), 200))]);
      }, { timeout: 10_000 })
      .toMatchObject({ from: 'alice', text: 'across instances' });
    expect(apps[0]!.busKind).toBe('redis');
  });
});
