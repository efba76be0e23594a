import { describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode } from '../../src/index.ts';
import { TestClient, closeAfterEach } from '@sealed/test-support';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const track = closeAfterEach();
let server: TestServer;

describe('authentication', () => {
  it('answers connected with the client id, user id and time', async () => {
    server = track(await startTestServer());
    const before = Date.now();
    const { client, connected } = await TestClient.authenticated(server.url, { token: 'alice' });
    expect(connected.userId).toBe('alice');
    expect(connected.id).toBe(server.helper.getClientsByUser({ userId: 'alice' })[0]?.id);
    expect(connected.time).toBeGreaterThanOrEqual(before);
    await client.close();
  });

  it('refuses bad credentials with an error and close 4003', async () => {
    server = track(await startTestServer());
    const client = await TestClient.connect(server.url);
    client.send('authenticate', { token: '' });
    const error = await client.next('error');
    expect(error.data.code).toBe(ErrorCode.AUTH_FAILED);
    expect((await client.closed).code).toBe(CloseCode.AUTH_FAILED);
    expect(server.helper.getMetrics().authFailures).toBe(1);
  });

  it('refuses with 4003 when authenticateFn throws', async () => {
    server = track(await startTestServer({
      authenticateFn: () => {
        throw new Error('directory unavailable');
      },
    }));
    const client = await TestClient.connect(server.url);
    client.send('authenticate', { token: 'alice' });
    expect((await client.closed).code).toBe(CloseCode.AUTH_FAILED);
  });

  it('closes with 4001 when authenticate does not arrive in time', async () => {
    server = track(await startTestServer({ authTimeout: 100 }));
    const client = await TestClient.connect(server.url);
    const error = await client.next('error');
    expect(error.data.code).toBe(ErrorCode.AUTH_TIMEOUT);
    expect((await client.closed).code).toBe(CloseCode.AUTH_TIMEOUT);
  });

  it('closes with 4001 when authenticateFn takes longer than the timeout', async () => {
    server = track(await startTestServer({
      authTimeout: 100,
      authenticateFn: () => new Promise(() => undefined),
    }));
    const client = await TestClient.connect(server.url);
    client.send('authenticate', { token: 'alice' });
    expect((await client.closed).code).toBe(CloseCode.AUTH_TIMEOUT);
  });

  it('answers events before authentication with NOT_AUTHENTICATED and keeps the connection', async () => {
    server = track(await startTestServer());
    const client = await TestClient.connect(server.url);
    client.send('join', { rooms: ['lobby'] });
    expect((await client.next('error')).data.code).toBe(ErrorCode.NOT_AUTHENTICATED);
    client.send('authenticate', { token: 'alice' });
    expect((await client.next('connected')).data.userId).toBe('alice');
    await client.close();
  });

  it('handles a join sent right behind authenticate after authentication finishes', async () => {
    server = track(await startTestServer({
      authenticateFn: async ({ data }) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { userId: (data as { token: string }).token };
      },
    }));
    const client = await TestClient.connect(server.url);
    client.send('authenticate', { token: 'alice' });
    client.send('join', { rooms: ['lobby'] });
    const joined = await client.next('joined');
    expect(joined.data.rooms).toEqual(['lobby']);
    expect(client.all('error')).toEqual([]);
    await client.close();
  });

  it('refuses a second authenticate on an open connection', async () => {
    server = track(await startTestServer());
    const { client } = await TestClient.authenticated(server.url, { token: 'alice' });
    client.send('authenticate', { token: 'mallory' });
    expect((await client.next('error')).data.code).toBe(ErrorCode.ALREADY_AUTHENTICATED);
    expect(server.helper.getClientsByUser({ userId: 'alice' })).toHaveLength(1);
    expect(server.helper.getClientsByUser({ userId: 'mallory' })).toHaveLength(0);
    await client.close();
  });

  it('tells clientConnectedFn and clientDisconnectedFn about an open client', async () => {
    const events: string[] = [];
    let disconnected!: () => void;
    const gone = new Promise<void>((resolve) => (disconnected = resolve));
    server = track(await startTestServer({
      clientConnectedFn: ({ userId }) => void events.push(`connected:${userId}`),
      clientDisconnectedFn: ({ userId, closeCode }) => {
        events.push(`disconnected:${userId}:${closeCode}`);
        disconnected();
      },
    }));
    const { client } = await TestClient.authenticated(server.url, { token: 'alice' });
    await client.close();
    await gone;
    expect(events).toEqual(['connected:alice', 'disconnected:alice:1005']);
  });
});
