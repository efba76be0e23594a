import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../../src/index.ts';
import { TestClient, closeAfterEach } from '@sealed/test-support';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const track = closeAfterEach();
let server: TestServer;

/** A second loopback address: Linux routes all of 127/8 to lo, so it is another remote address to the server. */
const OTHER_ADDRESS = '127.0.0.2';
const UPGRADE_REQUEST = (port: number, headers: readonly string[] = []): string =>
  [
    'GET /ws HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    ...headers,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    '',
    '',
  ].join('\r\n');

/** A socket that upgrades and then never says anything, nor answers a close frame; resolves with the HTTP status. */
async function silentUpgrade(
  port: number,
  localAddress = OTHER_ADDRESS,
  headers: readonly string[] = [],
): Promise<{ status: number; socket: Socket; closed: Promise<void> }> {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  track({ close: () => socket.destroy() });
  socket.write(UPGRADE_REQUEST(port, headers));
  const status = await new Promise<number>((resolve) => {
    socket.once('data', (chunk: Buffer) => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString())?.[1])));
  });
  return { status, socket, closed };
}

describe('connections that have not authenticated', () => {
  it('are capped per address: a flood from one address gets 429 while another address signs in at once', async () => {
    server = track(await startTestServer({ maxUnauthenticatedPerAddress: 5 }));
    const statuses: number[] = [];
    for (let n = 0; n < 8; n += 1) statuses.push((await silentUpgrade(server.port)).status);
    expect(statuses).toEqual([101, 101, 101, 101, 101, 429, 429, 429]);
    const started = Date.now();
    track(await TestClient.as(server.url, 'alice'));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(server.helper.getMetrics()).toMatchObject({ preAuthRejections: 3, connectionsRejected: 3 });
  });

  it('are started at a bounded rate per address: a burst past it gets 429, refilled over time, while another address signs in at once', async () => {
    server = track(await startTestServer({ upgradeBurstPerAddress: 4, upgradesPerSecondPerAddress: 5 }));
    const statuses: number[] = [];
    for (let n = 0; n < 6; n += 1) {
      const { status, socket } = await silentUpgrade(server.port);
      statuses.push(status);
      socket.destroy();
    }
    expect(statuses).toEqual([101, 101, 101, 101, 429, 429]);
    const started = Date.now();
    track(await TestClient.as(server.url, 'alice'));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(server.helper.getMetrics()).toMatchObject({ upgradeRateRejections: 2, preAuthRejections: 0 });
    // One token every 200 ms at 5 per second.
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await silentUpgrade(server.port)).status).toBe(101);
  });

  it('are counted per client address behind a trusted proxy, taken from X-Forwarded-For, and a client cannot pick its own', async () => {
    const seen: Array<string | undefined> = [];
    server = track(await startTestServer({
      maxUnauthenticatedPerAddress: 2,
      trustedProxies: [OTHER_ADDRESS],
      authenticateFn: ({ data, remoteAddress }) => (seen.push(remoteAddress), { userId: String((data as { token: string }).token) }),
    }));
    const throughProxy = (client: string) => silentUpgrade(server.port, OTHER_ADDRESS, [`X-Forwarded-For: 203.0.113.99, ${client}`]);
    // Two clients behind the proxy fill their own address's slots, not the proxy's.
    expect((await throughProxy('198.51.100.1')).status).toBe(101);
    expect((await throughProxy('198.51.100.1')).status).toBe(101);
    expect((await throughProxy('198.51.100.1')).status).toBe(429);
    expect((await throughProxy('198.51.100.2')).status).toBe(101);
    // A peer that is not a trusted proxy is its own address, whatever header it sends.
    expect((await silentUpgrade(server.port, '127.0.0.3', ['X-Forwarded-For: 198.51.100.2'])).status).toBe(101);
    const alice = await TestClient.connect(server.url, { headers: { 'X-Forwarded-For': '198.51.100.7' } });
    track(alice);
    alice.send('authenticate', { token: 'alice' });
    await alice.next('connected');
    expect(seen).toEqual(['127.0.0.1']);
  });

  it('are capped in all, and an authenticated client gives its slot back', async () => {
    server = track(await startTestServer({ maxUnauthenticatedConnections: 2 }));
    const alice = track(await TestClient.as(server.url, 'alice'));
    expect(alice.id).toBeDefined();
    expect((await silentUpgrade(server.port)).status).toBe(101);
    expect((await silentUpgrade(server.port, '127.0.0.3')).status).toBe(101);
    expect((await silentUpgrade(server.port, '127.0.0.4')).status).toBe(503);
    expect(server.helper.getMetrics().preAuthRejections).toBe(1);
  });

  it('are cut off soon after an auth timeout when they never answer the close frame, freeing their slot', async () => {
    server = track(await startTestServer({ authTimeout: 100, preAuthCloseGraceMs: 100, maxUnauthenticatedPerAddress: 1 }));
    const started = Date.now();
    const first = await silentUpgrade(server.port);
    expect(first.status).toBe(101);
    expect((await silentUpgrade(server.port)).status).toBe(429);
    await first.closed;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(server.helper.getMetrics()).toMatchObject({ authTimeouts: 1, preAuthTerminations: 1 });
    await expect.poll(() => server.helper.getMetrics().connections).toBe(0);
    expect((await silentUpgrade(server.port)).status).toBe(101);
  });

  it('may not send a frame larger than maxPayloadBytesBeforeAuth (1009), and may once open', async () => {
    server = track(await startTestServer({ maxPayloadBytesBeforeAuth: 1024, messageHandler: () => undefined }));
    const large = JSON.stringify({ event: 'authenticate', data: { token: 'x'.repeat(4096) } });
    const early = track(await TestClient.connect(server.url));
    early.sendRaw(large);
    expect((await early.closed).code).toBe(CloseCode.MESSAGE_TOO_BIG);
    expect(server.helper.getMetrics().preAuthOversize).toBe(1);
    const alice = track(await TestClient.as(server.url, 'alice'));
    alice.send('note', { text: 'x'.repeat(4096) });
    alice.send('join', { rooms: [] });
    await alice.next('joined');
    expect(alice.socket.readyState).toBe(alice.socket.OPEN);
  });

  it('bound what a deep-JSON flood before authentication costs: a second client round-trips in under 200 ms meanwhile', async () => {
    server = track(await startTestServer());
    // Just under maxPayloadBytesBeforeAuth: an array nested about 8,000 deep.
    const depth = 8_000;
    const deep = '['.repeat(depth) + ']'.repeat(depth);
    const flooders = await Promise.all(
      Array.from({ length: 4 }, () => TestClient.connect(server.url, { localAddress: OTHER_ADDRESS }).then(track)),
    );
    for (const flooder of flooders) for (let n = 0; n < 150; n += 1) flooder.sendRaw(deep);
    const alice = track(await TestClient.as(server.url, 'alice'));
    const started = performance.now();
    alice.send('join', { rooms: [] });
    await alice.next('joined');
    expect(performance.now() - started).toBeLessThan(200);
    for (const flooder of flooders) expect((await flooder.closed).code).toBe(CloseCode.RATE_LIMITED);
    expect(server.helper.getMetrics().preAuthByteCloses).toBe(4);
  });

  it('may send at most maxBytesBeforeAuth in all before opening (4006)', async () => {
    server = track(await startTestServer({ maxBytesBeforeAuth: 20 * 1024, maxPayloadBytesBeforeAuth: 8 * 1024 }));
    const early = track(await TestClient.connect(server.url));
    for (let n = 0; n < 3; n += 1) early.send('note', { text: 'x'.repeat(7 * 1024) });
    expect((await early.closed).code).toBe(CloseCode.RATE_LIMITED);
    expect(server.helper.getMetrics()).toMatchObject({ preAuthByteCloses: 1, rateLimitCloses: 1 });
  });

  it('are destroyed when their first request headers trickle in slower than requestHeadersTimeoutMs, while another client signs in and stays', async () => {
    server = track(await startTestServer({ requestHeadersTimeoutMs: 300 }));
    const slow = connect({ host: '127.0.0.1', port: server.port, localAddress: OTHER_ADDRESS });
    slow.on('error', () => undefined);
    track({ close: () => slow.destroy() });
    const closed = new Promise<void>((resolve) => slow.once('close', () => resolve()));
    await new Promise<void>((resolve) => slow.once('connect', () => resolve()));
    const started = Date.now();
    slow.write('GET /ws HTTP/1.1\r\n');
    // One header byte every 50 ms: the connection is never idle, and never done.
    const trickle = setInterval(() => slow.writable && slow.write('X'), 50);
    track({ close: () => clearInterval(trickle) });
    const alice = track(await TestClient.as(server.url, 'alice'));
    await closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(server.helper.getMetrics()).toMatchObject({ headerTimeouts: 1, incompleteRequests: 0 });
    // Alice's upgrade delivered its headers in time: the deadline no longer applies to her.
    await new Promise((resolve) => setTimeout(resolve, 400));
    alice.send('join', { rooms: [] });
    await alice.next('joined');
  });

  it('are capped per address while their headers are incomplete: more are destroyed on arrival, other addresses are served', async () => {
    server = track(await startTestServer({ maxIncompleteRequestsPerAddress: 3 }));
    const open = async (): Promise<{ closed: Promise<void> }> => {
      const socket = connect({ host: '127.0.0.1', port: server.port, localAddress: OTHER_ADDRESS });
      socket.on('error', () => undefined);
      track({ close: () => socket.destroy() });
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write('GET /ws HTTP/1.1\r\n');
      return { closed };
    };
    for (let n = 0; n < 3; n += 1) await open();
    await expect.poll(() => server.helper.getMetrics().incompleteRequests).toBe(3);
    await (await open()).closed;
    expect(server.helper.getMetrics()).toMatchObject({ headerRejections: 1, incompleteRequests: 3 });
    track(await TestClient.as(server.url, 'alice'));
  });
});
