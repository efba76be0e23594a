import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CloseCode } from '../../src/index.ts';
import { TestClient } from '@sealed/test-support';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('../fixtures/shutdown-exits.ts', import.meta.url));
const EXIT_DEADLINE_MS = 15_000;

let server: TestServer | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
});

describe('shutdown', () => {
  it('closes every client with 1001, authenticated or not', async () => {
    server = await startTestServer();
    const { client: alice } = await TestClient.authenticated(server.url, { token: 'alice' });
    const stranger = await TestClient.connect(server.url);
    await server.helper.shutdown();
    expect((await alice.closed).code).toBe(CloseCode.GOING_AWAY);
    expect((await stranger.closed).code).toBe(CloseCode.GOING_AWAY);
    expect(server.helper.getClients()).toEqual([]);
  });

  it('is idempotent', async () => {
    server = await startTestServer();
    await TestClient.authenticated(server.url, { token: 'alice' });
    const first = server.helper.shutdown();
    expect(server.helper.shutdown()).toBe(first);
    await first;
    await expect(server.helper.shutdown()).resolves.toBeUndefined();
  });

  it('refuses upgrades after shutdown without touching the HTTP server', async () => {
    server = await startTestServer();
    await server.helper.shutdown();
    expect(server.server.listenerCount('upgrade')).toBe(0);
    expect(server.server.listening).toBe(true);
  });

  it('cuts off clients that do not finish the closing handshake within the grace period', async () => {
    server = await startTestServer({ shutdownGraceMs: 100 });
    const { client } = await TestClient.authenticated(server.url, { token: 'alice' });
    client.socket.pause();
    await server.helper.shutdown();
    expect(server.helper.getClients()).toEqual([]);
    client.socket.resume();
    await client.closed;
  });

  it('releases every timer it started: auth timers, the heartbeat sweep, the grace timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    server = await startTestServer();
    const { client: alice } = await TestClient.authenticated(server.url, { token: 'alice' });
    const stranger = await TestClient.connect(server.url);
    await expect.poll(() => server!.helper.getClients().length, { interval: 5 }).toBe(2);
    expect(vi.getTimerCount()).toBeGreaterThanOrEqual(2);
    await server.helper.shutdown();
    await Promise.all([alice.closed, stranger.closed]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves nothing behind: a process that shuts down exits by itself', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture], { timeout: EXIT_DEADLINE_MS });
    expect(stdout.trim()).toBe(`closed ${CloseCode.GOING_AWAY}`);
  });
});
