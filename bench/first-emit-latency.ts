/**
 * `pnpm bench:first-emit`: how long a new client waits for the answer to its
 * first message, over a link with latency (a loopback proxy holding every
 * chunk `ONE_WAY_MS` each way; the upgrade's TCP handshake is not delayed).
 * Each connection is made, sends `ping` as soon as its library lets it, and
 * is timed from the call that opens it to the `pong`; the median over
 * `CONNECTIONS` connections, made one after another, for:
 *
 * - raw `ws`: `ping` on `open` (upgrade, then one round trip);
 * - Socket.IO: `emit` right after `io()`, buffered by the client until its namespace is connected;
 * - Sealed at levels `none` and `encrypted`, the `ping` emitted once `connect()` resolved
 *   (the only way before emits were queued during the first connect), and emitted while it
 *   runs, so it goes right behind the credentials (`maxEarlyEmits`); each with `authenticate`
 *   carried in the upgrade request (the default) and sent as a frame after it
 *   (`maxUpgradeFrameBytes: 0`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as SocketIoServer } from 'socket.io';
import { io } from 'socket.io-client';
import { WebSocket, WebSocketServer } from 'ws';
import { NodeCryptoProvider, SecurityLevel, WebSocketServerHelper, createDefaultLogger, createSecureServerKit } from '@sealed/helpers';
import { SealedClient } from '@sealed/helpers/client';
import { startLatencyProxy, type LatencyProxy } from './lib/latency-proxy.ts';
import { median } from './lib/stats.ts';

const ONE_WAY_MS = Number(process.env.ONE_WAY_MS ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 30);
const PING = 'ping';
const PONG = 'pong';
const crypto = new NodeCryptoProvider();

/** An HTTP server on an ephemeral loopback port, with a proxy of `ONE_WAY_MS` in front of it. */
async function listenBehindProxy(server: Server): Promise<LatencyProxy> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return startLatencyProxy((server.address() as AddressInfo).port, ONE_WAY_MS);
}

async function medianMs(connectOnce: (index: number) => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let index = 0; index < CONNECTIONS; index += 1) {
    const started = performance.now();
    await connectOnce(index);
    times.push(performance.now() - started);
  }
  return median(times);
}

async function rawWs(): Promise<number> {
  const server = createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => socket.on('message', () => socket.send(PONG)));
  const proxy = await listenBehindProxy(server);
  const result = await medianMs(
    () =>
      new Promise((resolve) => {
        const socket = new WebSocket(`ws://127.0.0.1:${proxy.port}`);
        socket.on('open', () => socket.send(PING));
        socket.on('message', () => {
          socket.terminate();
          resolve();
        });
      }),
  );
  await proxy.close();
  wss.close();
  server.close();
  return result;
}

async function socketIo(): Promise<number> {
  const server = createServer();
  const ioServer = new SocketIoServer(server);
  ioServer.on('connection', (socket) => socket.on(PING, () => socket.emit(PONG)));
  const proxy = await listenBehindProxy(server);
  const result = await medianMs(
    () =>
      new Promise((resolve) => {
        const socket = io(`http://127.0.0.1:${proxy.port}`, { transports: ['websocket'], reconnection: false });
        socket.on(PONG, () => {
          socket.disconnect();
          resolve();
        });
        socket.emit(PING);
      }),
  );
  await proxy.close();
  await ioServer.close();
  return result;
}

async function sealed(level: SecurityLevel, emitWhileConnecting: boolean, authenticateInUpgrade: boolean): Promise<number> {
  const server = createServer();
  const kit = createSecureServerKit({ identity: crypto.ed25519KeyPair(), acceptedLevels: [SecurityLevel.NONE, SecurityLevel.ENCRYPTED] });
  const helper = new WebSocketServerHelper({
    server,
    authenticateFn: ({ data }) => ({ userId: String((data as { token: string }).token) }),
    validateRoomFn: ({ rooms }) => rooms,
    handshakeFn: kit.handshakeFn,
    outboundTransformer: kit.outboundTransformer,
    inboundTransformer: kit.inboundTransformer,
    messageHandler: ({ clientId, event }) => void (event === PING && helper.sendToClient({ clientId, event: PONG })),
    logger: createDefaultLogger({ level: 'warn' }),
  });
  const proxy = await listenBehindProxy(server);
  const result = await medianMs(async (index) => {
    const client = new SealedClient({
      url: `ws://127.0.0.1:${proxy.port}/ws`,
      credentials: { token: `user-${index}` },
      level,
      crypto,
      WebSocket,
      reconnect: { enabled: false },
      ...(authenticateInUpgrade ? {} : { maxUpgradeFrameBytes: 0 }),
    });
    const pong = new Promise((resolve) => client.on(PONG, resolve));
    if (emitWhileConnecting) {
      await Promise.all([client.connect(), client.emit(PING)]);
    } else {
      await client.connect();
      await client.emit(PING);
    }
    await pong;
    client.close();
  });
  await proxy.close();
  await helper.shutdown();
  server.close();
  return result;
}

const rows: Array<[string, number]> = [
  ['raw ws, ping on open', await rawWs()],
  ['socket.io, emit right after io()', await socketIo()],
];
for (const level of [SecurityLevel.NONE, SecurityLevel.ENCRYPTED]) {
  for (const inUpgrade of [false, true]) {
    const carried = inUpgrade ? 'authenticate in the upgrade' : 'authenticate as a frame';
    rows.push([`sealed ${level}, ${carried}, emit once connect() resolved`, await sealed(level, false, inUpgrade)]);
    rows.push([`sealed ${level}, ${carried}, emit while connecting`, await sealed(level, true, inUpgrade)]);
  }
}
console.log(`\nFirst answer over a link of ${ONE_WAY_MS} ms each way (median of ${CONNECTIONS} connections, ms from opening to the answer)\n`);
console.log('| client | ms to the first answer |\n|---|---|');
for (const [name, ms] of rows) console.log(`| ${name} | ${ms.toFixed(1)} |`);
