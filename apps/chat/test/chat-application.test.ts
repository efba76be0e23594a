import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CloseCode, NodeCryptoProvider, SecurityLevel, createDefaultLogger } from '@sealed/helpers';
import { ClientFailureCode, SealedClient, ServerEvent } from '@sealed/helpers/client';
import { TestClient } from '@sealed/test-support';
import { ChatApplication, type ChatApplicationOptions } from '../src/chat-application.ts';
import { ChatErrorCode } from '../src/chat-protocol.ts';

interface ChatMessage {
  room: string;
  from: string;
  text: string;
  time: number;
}

let app: ChatApplication | undefined;
const clients: SealedClient[] = [];
const crypto = new NodeCryptoProvider();

async function startApp(options: ChatApplicationOptions = {}): Promise<{ http: string; ws: string }> {
  app = new ChatApplication({ port: 0, logger: createDefaultLogger({ level: 'silent' }), ...options });
  const { port } = await app.start();
  return { http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/ws` };
}

async function signIn(url: string, name: string, room: string): Promise<{ client: SealedClient; messages: ChatMessage[] }> {
  const client = new SealedClient({
    url,
    credentials: { token: name },
    crypto,
    WebSocket: WebSocket,
    reconnect: { enabled: false },
  });
  clients.push(client);
  const messages: ChatMessage[] = [];
  client.on('chat', (message: ChatMessage) => messages.push(message));
  await client.connect();
  expect((await client.join([room])).rooms).toEqual([room]);
  return { client, messages };
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await app?.stop();
  app = undefined;
});

describe('ChatApplication', () => {
  it('serves Prometheus metrics of live traffic at /metrics, to a scrape with the token only', async () => {
    const token = 'scrape-token';
    const { http, ws } = await startApp({ metricsToken: token });
    const alice = await signIn(ws, 'alice', 'lobby');
    const bob = await signIn(ws, 'bob', 'lobby');
    await alice.client.emit('chat', { room: 'lobby', text: 'hello' });
    await expect.poll(() => bob.messages.length).toBe(1);

    expect((await fetch(`${http}/metrics`)).status).toBe(401);
    expect((await fetch(`${http}/metrics`, { headers: { authorization: 'Bearer wrong-token!' } })).status).toBe(401);
    const scrape = await fetch(`${http}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await scrape.text();
    expect(text).toMatch(/^sealed_clients_opened_total 2$/m);
    expect(text).toMatch(/^sealed_connections 2$/m);
    expect(text).toMatch(/^sealed_kit_handshakes_completed_total 2$/m);
    expect(text).toMatch(/^sealed_client_open_duration_seconds_count 2$/m);
    expect(text).toMatch(/^sealed_delivery_duration_seconds_count\{target="room"\} [1-9]/m);
    expect(text).toMatch(/^# TYPE sealed_messages_delivered_total counter$/m);
  });

  it('serves no /metrics when turned off', async () => {
    const { http } = await startApp({ metrics: false });
    expect((await fetch(`${http}/metrics`)).status).toBe(404);
  });

  it('shows who is in a room through presence: the joiner gets the members, the others hear of joins and leaves', async () => {
    const { ws } = await startApp();
    const alice = await signIn(ws, 'alice', 'lobby');
    const changes: unknown[] = [];
    alice.client.on(ServerEvent.PRESENCE, (change) => void changes.push(change));
    const bob = await signIn(ws, 'bob', 'lobby');
    expect(bob.client.connection).toBeDefined();
    expect((await bob.client.members('lobby')).map((member) => member.userId).sort()).toEqual(['alice', 'bob']);
    bob.client.close();
    await expect.poll(() => changes).toEqual([
      { room: 'lobby', joined: [{ clientId: expect.any(String), userId: 'bob' }], left: [] },
      { room: 'lobby', joined: [], left: [{ clientId: expect.any(String), userId: 'bob' }] },
    ]);
  });

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

  it('relays encrypted chat between two members of a room, and not to another room', async () => {
    const { ws } = await startApp();
    const alice = await signIn(ws, 'alice', 'lobby');
    const bob = await signIn(ws, 'bob', 'lobby');
    const carol = await signIn(ws, 'carol', 'kitchen');
    expect(alice.client.connection?.level).toBe(SecurityLevel.ENCRYPTED);
    expect(alice.client.connection?.serverFingerprint).toBe(app!.identityFingerprint);

    await alice.client.emit('chat', { room: 'lobby', text: 'hi bob' });
    await expect.poll(() => bob.messages.length).toBe(1);
    expect(bob.messages[0]).toEqual({ room: 'lobby', from: 'alice', text: 'hi bob', time: expect.any(Number) });

    await bob.client.emit('chat', { room: 'lobby', text: 'hi alice' });
    await expect.poll(() => alice.messages.map((message) => message.text)).toEqual(['hi bob', 'hi alice']);

    await carol.client.emit('chat', { room: 'kitchen', text: 'anyone?' });
    await expect.poll(() => carol.messages.length).toBe(1);
    expect(alice.messages).toHaveLength(2);
    expect(bob.messages).toHaveLength(2);
  });

  it('refuses chat to a room the sender is not in', async () => {
    const { ws } = await startApp();
    const mallory = await signIn(ws, 'mallory', 'kitchen');
    const error = new Promise<{ code: string }>((resolve) => mallory.client.on('error', resolve));
    await mallory.client.emit('chat', { room: 'lobby', text: 'sneaky' });
    expect((await error).code).toBe(ChatErrorCode.NOT_IN_ROOM);
  });

  it('refuses a plaintext client by default, with 4004', async () => {
    const { ws } = await startApp();
    const client = await TestClient.connect(ws);
    client.send('authenticate', { token: 'alice' });
    expect((await client.closed).code).toBe(CloseCode.ENCRYPTION_REQUIRED);
  });

  it('serves plaintext clients too when SECURITY_LEVELS includes none', async () => {
    const { ws } = await startApp({ securityLevels: [SecurityLevel.ENCRYPTED, SecurityLevel.NONE] });
    const { client, connected } = await TestClient.authenticated(ws, { token: 'alice' });
    expect(connected.sealed).toEqual({ v: 2, level: 'none', accepted: ['encrypted', 'none'] });
    client.send('join', { rooms: ['lobby'] });
    await client.next('joined');
    client.send('chat', { room: 'lobby', text: 'plain' });
    expect((await client.next('chat')).data).toMatchObject({ from: 'alice', text: 'plain' });
    await client.close();
  });

  it('refuses a name outside the demo rules with 4003', async () => {
    const { ws } = await startApp();
    const client = new SealedClient({
      url: ws,
      credentials: { token: 'not a name!' },
      crypto,
      WebSocket: WebSocket,
    });
    clients.push(client);
    await expect(client.connect()).rejects.toMatchObject({ code: ClientFailureCode.AUTH_FAILED });
  });

  it('keeps its identity across restarts when given an identity file', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'sealed-identity-'));
    try {
      const identityFile = join(directory, 'identity.json');
      await startApp({ identityFile });
      const first = app!.identityFingerprint;
      await app!.stop();
      await startApp({ identityFile });
      expect(app!.identityFingerprint).toBe(first);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
