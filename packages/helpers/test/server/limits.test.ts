import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { CloseCode, WebSocketDefaults } from '../../src/index.ts';
import { TestClient, closeAfterEach } from '@sealed/test-support';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { refusedStatus } from '../support/refused-status.ts';

const track = closeAfterEach();
let server: TestServer;

describe('maxConnections', () => {
  it('answers 503 before upgrading once the cap is reached, and accepts again after a close', async () => {
    server = track(await startTestServer({ maxConnections: 2 }));
    const first = await TestClient.connect(server.url);
    const second = await TestClient.connect(server.url);
    track(second);
    expect(await refusedStatus(server.url)).toBe(503);
    expect(server.helper.getMetrics()).toMatchObject({ connections: 2, connectionsRejected: 1 });
    await first.close();
    await expect.poll(() => server.helper.getMetrics().connections).toBe(1);
    track(await TestClient.connect(server.url));
  });
});

describe('allowedOrigins', () => {
  it('refuses a browser origin not on the list with 403 and accepts a listed one', async () => {
    server = track(await startTestServer({ allowedOrigins: ['https://chat.example'] }));
    expect(await refusedStatus(server.url, { Origin: 'https://evil.example' })).toBe(403);
    track(await TestClient.connect(server.url, { headers: { Origin: 'https://chat.example' } }));
  });
});

describe('path', () => {
  it('answers 404 to upgrades on another path', async () => {
    server = track(await startTestServer({ path: '/realtime' }));
    expect(await refusedStatus(server.url.replace('/realtime', '/other'))).toBe(404);
    track(await TestClient.connect(`${server.url}?v=1`));
  });
});

describe('heartbeat', () => {
  const INTERVAL_MS = WebSocketDefaults.HEARTBEAT_INTERVAL_MS;
  const TIMEOUT_MS = WebSocketDefaults.HEARTBEAT_TIMEOUT_MS;

  /** The sweep's timer and the monotonic clock signs of life are measured on. */
  function useFakeClock(): void {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date', 'performance'] });
  }

  afterEach(() => {
    vi.useRealTimers();
  });

  it('closes a client that goes silent with 4002 once heartbeatTimeout has passed, not before', async () => {
    useFakeClock();
    server = track(await startTestServer());
    const { client } = await TestClient.authenticated(server.url, { token: 'alice' }, { autoPong: false });
    vi.advanceTimersByTime(TIMEOUT_MS);
    expect(server.helper.getMetrics().heartbeatTimeouts).toBe(0);
    vi.advanceTimersByTime(INTERVAL_MS);
    expect((await client.closed).code).toBe(CloseCode.HEARTBEAT_TIMEOUT);
    expect(server.helper.getMetrics().heartbeatTimeouts).toBe(1);
  });

  it('pings every heartbeatInterval and keeps a client that answers, well past heartbeatTimeout', async () => {
    useFakeClock();
    server = track(await startTestServer());
    const { client } = await TestClient.authenticated(server.url, { token: 'alice' });
    track(client);
    const sweeps = (2 * TIMEOUT_MS) / INTERVAL_MS;
    for (let sweep = 0; sweep < sweeps; sweep += 1) {
      const pinged = once(client.socket, 'ping');
      vi.advanceTimersByTime(INTERVAL_MS);
      await pinged;
      // The pong travels before this frame on the same socket, so once `joined` is back the server has seen it.
      client.send('join', { rooms: [] });
      await client.next('joined');
    }
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
    expect(server.helper.getMetrics().heartbeatTimeouts).toBe(0);
  });
});

describe('slow consumers', () => {
  it('closes a client whose outbound buffer passes maxBufferedBytes with 4007', async () => {
    server = track(await startTestServer({ maxBufferedBytes: 64 * 1024 }));
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

  it('cuts off the clients holding the most once all sockets together pass maxTotalBufferedBytes, and serves the rest', async () => {
    server = track(await startTestServer({ maxTotalBufferedBytes: 512 * 1024, maxBufferedBytes: 64 * 1024 * 1024 }));
    const heavy = await TestClient.authenticated(server.url, { token: 'heavy' });
    const light = await TestClient.authenticated(server.url, { token: 'light' });
    const reader = track(await TestClient.as(server.url, 'reader'));
    track(heavy.client);
    track(light.client);
    heavy.client.socket.pause();
    light.client.socket.pause();
    const payload = 'x'.repeat(16 * 1024);
    const isOpen = (clientId: string) => server.helper.getClient({ clientId })?.state === 'OPEN';
    // Staggered: the heavy reader is sent twice as much as the light one.
    for (let i = 0; i < 3_000 && server.helper.getMetrics().outboundBudgetCloses === 0; i += 1) {
      await server.helper.sendToClient({ clientId: heavy.connected.id, event: 'bulk', data: payload });
      await server.helper.sendToClient({ clientId: heavy.connected.id, event: 'bulk', data: payload });
      await server.helper.sendToClient({ clientId: light.connected.id, event: 'bulk', data: payload });
    }
    expect(server.helper.getMetrics()).toMatchObject({ outboundBudgetCloses: 1, slowConsumerCloses: 0 });
    heavy.client.socket.resume();
    expect((await heavy.client.closed).code).toBe(1006);
    expect(isOpen(light.connected.id)).toBe(true);
    await server.helper.sendToClient({ clientId: reader.id!, event: 'news' });
    await reader.next('news');
    const report = await server.helper.sendToClient({ clientId: light.connected.id, event: 'still-here' });
    expect(report.delivered).toBe(1);
    light.client.socket.resume();
    await light.client.next('still-here');
  });
});
