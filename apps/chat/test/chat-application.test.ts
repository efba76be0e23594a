import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode, createDefaultLogger } from '@sealed/helpers';
import { TestClient } from '@sealed/test-support';
import { ChatApplication } from '../src/chat-application.ts';
import { ChatErrorCode } from '../src/chat-protocol.ts';

let app: ChatApplication | undefined;
const clients: TestClient[] = [];

async function startApp(): Promise<{ http: string; ws: string }> {
  app = new ChatApplication({ port: 0, logger: createDefaultLogger({ level: 'silent' }) });
  const { port } = await app.start();
  return { http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/ws` };
}

async function signIn(url: string, name: string, room: string): Promise<TestClient> {
  const { client } = await TestClient.authenticated(url, { token: name });
  clients.push(client);
  client.send('join', { rooms: [room] });
  expect((await client.next('joined')).data.rooms).toEqual([room]);
  return client;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await app?.stop();
  app = undefined;
});

describe('ChatApplication', () => {
  it('answers /healthz and serves the page', async () => {
    const { http } = await startApp();
    const health = await fetch(`${http}/healthz`);
    expect(health.status).toBe(200);
    const page = await fetch(`${http}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<title>Sealed chat</title>');
    expect((await fetch(`${http}/../package.json`)).status).toBe(404);
  });

  it('relays chat between two members of a room, and not to another room', async () => {
    const { ws } = await startApp();
    const alice = await signIn(ws, 'alice', 'lobby');
    const bob = await signIn(ws, 'bob', 'lobby');
    const carol = await signIn(ws, 'carol', 'kitchen');

    alice.send('chat', { room: 'lobby', text: 'hi bob' });
    const atBob = await bob.next('chat');
    expect(atBob.data).toEqual({ room: 'lobby', from: 'alice', text: 'hi bob', time: expect.any(Number) });
    expect((await alice.next('chat')).data.text).toBe('hi bob');

    bob.send('chat', { room: 'lobby', text: 'hi alice' });
    expect((await alice.next('chat')).data).toMatchObject({ from: 'bob', text: 'hi alice' });

    carol.send('chat', { room: 'kitchen', text: 'anyone?' });
    expect((await carol.next('chat')).data.text).toBe('anyone?');
    expect(carol.all('chat').map((message) => message.data.room)).toEqual(['kitchen']);
    expect(alice.all('chat').map((message) => message.data.text)).toEqual(['hi bob', 'hi alice']);
  });

  it('refuses chat to a room the sender is not in', async () => {
    const { ws } = await startApp();
    const mallory = await signIn(ws, 'mallory', 'kitchen');
    mallory.send('chat', { room: 'lobby', text: 'sneaky' });
    expect((await mallory.next('error')).data.code).toBe(ChatErrorCode.NOT_IN_ROOM);
  });

  it('refuses a name outside the demo rules with 4003', async () => {
    const { ws } = await startApp();
    const client = await TestClient.connect(ws);
    client.send('authenticate', { token: 'not a name!' });
    expect((await client.closed).code).toBe(CloseCode.AUTH_FAILED);
  });
});
