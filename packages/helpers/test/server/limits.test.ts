import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CloseCode } from '../../src/index.ts';
import { TestClient } from '@sealed/test-support';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await server?.close();
  server = undefined;
});

/** Opens a raw socket and resolves with the HTTP status the server refused it with. */
async function refusedStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  const socket = new WebSocket(url, { headers });
  socket.on('error', () => undefined);
  const [, response] = (await once(socket, 'unexpected-response')) as [unknown, { statusCode: number }];
  socket.terminate();
  return response.statusCode;
}

describe('maxConnections', () => {
  it('answers 503 before upgrading once the cap is reached, and accepts again after a close', async () => {
    server = await startTestServer({ maxConnections: 2 });
    const first = await TestClient.connect(server.url);
    const second = await TestClient.connect(server.url);
    clients.push(second);
    expect(await refusedStatus(server.url)).toBe(503);
    expect(server.helper.getMetrics()).toMatchObject({ connections: 2, connectionsRejected: 1 });
    await first.close();
    await expect.poll(() => server!.helper.getMetrics().connections).toBe(1);
    clients.push(await TestClient.connect(server.url));
  });
});

describe('allowedOrigins', () => {
  it('refuses a browser origin not on the list with 403 and accepts a listed one', async () => {
    server = await startTestServer({ allowedOrigins: ['https://chat.example'] });
    expect(await refusedStatus(server.url, { Origin: 'https://evil.example' })).toBe(403);
    clients.push(await TestClient.connect(server.url, { headers: { Origin: 'https://chat.example' } }));
  });
});

describe('path', () => {
  it('answers 404 to upgrades on another path', async () => {
    server = await startTestServer({ path: '/realtime' });
    expect(await refusedStatus(server.url.replace('/realtime', '/other'))).toBe(404);
    clients.push(await TestClient.connect(`${server.url}?v=1`));
  });
});

describe('heartbeat', () => {
  it('closes a client that goes silent with 4002', async () => {
    server = await startTestServer({ heartbeatInterval: 50, heartbeatTimeout: 150 });
    const { client } = await TestClient.authenticated(server.url, { token: 'alice' }, { autoPong: false });
    expect((await client.closed).code).toBe(CloseCode.HEARTBEAT_TIMEOUT);
    expect(server.helper.getMetrics().heartbeatTimeouts).toBe(1);
  });

  it('keeps a client that answers pings', async () => {
    server = await startTestServer({ heartbeatInterval: 50, heartbeatTimeout: 150 });
    const { client } = await TestClient.authenticated(server.url, { token: 'alice' });
    clients.push(client);
    let pings = 0;
    client.socket.on('ping', () => (pings += 1));
    await expect.poll(() => pings, { timeout: 2_000 }).toBeGreaterThanOrEqual(6);
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
  });
});

describe('slow consumers', () => {
  it('closes a client whose outbound buffer passes maxBufferedBytes with 4007', async () => {
    server = await startTestServer({ maxBufferedBytes: 64 * 1024 });
    const { client, connected } = await TestClient.authenticated(server.url, { token: 'alice' });
    client.socket.pause();
    const payload = 'x'.repeat(16 * 1024);
    for (let i = 0; i < 2_000 && server.helper.getClient({ clientId: connected.id })?.state === 'OPEN'; i += 1) {
      await server.helper.sendToClient({ clientId: connected.id, event: 'bulk', data: payload });
    }
    expect(server.helper.getMetrics().slowConsumerCloses).toBe(1);
    client.socket.resume();
    expect((await client.closed).code).toBe(CloseCode.SLOW_CONSUMER);
  });
});
