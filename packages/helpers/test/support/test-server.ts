import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { TestClient } from '@sealed/test-support';
import { WebSocketServerHelper, type WebSocketServerOptions } from '../../src/index.ts';

/** A helper on a fresh HTTP server listening on an ephemeral loopback port. */
export interface TestServer {
  helper: WebSocketServerHelper;
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Demo credentials for tests: `{ token: "<user>" }` authenticates as `<user>`; anything else is refused. */
export const tokenAuthenticate: WebSocketServerOptions['authenticateFn'] = ({ data }) => {
  const token = (data as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' && token.length > 0 ? { userId: token } : null;
};

export const silentLogger = pino({ level: 'silent' });

/** Starts a server with test defaults; any option may be overridden. */
export async function startTestServer(options: Partial<WebSocketServerOptions<any>> = {}, listenPort = 0): Promise<TestServer> {
  const server = createServer((_request, response) => response.writeHead(404).end());
  const helper = new WebSocketServerHelper({
    server,
    authenticateFn: tokenAuthenticate,
    validateRoomFn: ({ rooms }) => rooms,
    logger: silentLogger,
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    helper,
    server,
    port,
    url: `ws://127.0.0.1:${port}${options.path ?? '/ws'}`,
    async close() {
      await helper.shutdown();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Broadcasts a marker and waits for it at each client: once it has arrived, everything sent to them before it has too. */
export async function awaitMarker(server: TestServer, ...clients: TestClient[]): Promise<void> {
  await server.helper.broadcast({ event: 'flush' });
  await Promise.all(clients.map((client) => client.next('flush')));
}
