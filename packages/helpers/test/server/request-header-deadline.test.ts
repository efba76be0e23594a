import { createServer, get, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { RequestHeaderDeadline } from '../../src/server/lifecycle/request-header-deadline.ts';
import { ServerMetrics } from '../../src/server/server-metrics.ts';
import { ThrottledLog } from '../../src/logging/throttled-log.ts';

let server: Server | undefined;
let deadline: RequestHeaderDeadline | undefined;

afterEach(async () => {
  deadline?.stop();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  deadline = undefined;
});

describe('RequestHeaderDeadline', () => {
  it('leaves nothing attached to a connection once its headers have arrived', async () => {
    const http = createServer((_request, response) => response.end('ok'));
    server = http;
    deadline = new RequestHeaderDeadline({
      server: http,
      timeoutMs: 10_000,
      maxPerAddress: 8,
      trustedProxies: new Set(),
      metrics: new ServerMetrics(),
      throttledLog: new ThrottledLog({ logger: pino({ level: 'silent' }), intervalMs: 60_000 }),
    });
    deadline.start();
    // Registered after the deadline's, so it sees the connection with the deadline's listener on it.
    const accepted = new Promise<{ socket: Socket; closeListenersWhilePending: number }>((resolve) =>
      http.once('connection', (socket: Socket) => resolve({ socket, closeListenersWhilePending: socket.listenerCount('close') })),
    );
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;

    const answered = new Promise<void>((resolve, reject) => {
      // Kept alive: the server-side socket outlives the request.
      get({ host: '127.0.0.1', port, path: '/', agent: false, headers: { connection: 'keep-alive' } }, (response) => {
        response.resume();
        response.on('end', resolve);
      }).on('error', reject);
    });
    const { socket, closeListenersWhilePending } = await accepted;
    expect(deadline.pending).toBe(1);
    await answered;

    expect(deadline.pending).toBe(0);
    expect(socket.destroyed).toBe(false);
    expect(socket.listenerCount('close')).toBe(closeListenersWhilePending - 1);
  });
});
