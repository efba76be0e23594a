/**
 * One contender's server, in a process of its own: listens on a free port,
 * puts every client in one room, and on command sends benchmark messages to
 * the room, measures its own CPU time, or reports its memory.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { PerfRecorder } from '../lib/perf-recorder.ts';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Server as SocketIoServer } from 'socket.io';
import uWS from 'uWebSockets.js';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WriteCoalescing } from '@sealed/helpers';
import {
  BENCH_EVENT,
  BENCH_ROOM,
  BENCH_WRITE_DELAY_MS,
  CHAT_EVENT,
  Contender,
  benchPayload,
  parseContenderRun,
  preciseNow,
  type ServerCommand,
  type ServerReply,
} from '../lib/bench-protocol.ts';

/** The run as the orchestrator named it, for the names of profiles. */
const run = process.argv[2]!;
const { contender, baseline } = parseContenderRun(run);
/** The baseline build's entry point: the checkout `BENCH_BASELINE` names, built. */
const baselineHelpers = (): string => pathToFileURL(`${process.env.BENCH_BASELINE}/packages/helpers/dist/index.js`).href;
const { NodeCryptoProvider, SecurityLevel, WebSocketServerHelper, createDefaultLogger, createSecureServerKit } = (await import(
  baseline ? baselineHelpers() : '@sealed/helpers'
)) as typeof import('@sealed/helpers');
const PING = 'ping';
const PONG = 'pong';
const LARGE_LIMIT = 1_000_000;
/** Connections the kernel may queue for accept (capped by net.core.somaxconn, 4,096 here). */
const LISTEN_BACKLOG = 4096;
/** The Sealed contenders that run the secure kit. */
const ENCRYPTED_SEALED: ReadonlySet<Contender> = new Set([
  Contender.SEALED_ENCRYPTED,
  Contender.SEALED_RESUMED,
  Contender.SEALED_FULL_RAW,
  Contender.SEALED_ENCRYPTED_HISTORY,
]);

function reply(message: ServerReply): void {
  process.send!(message);
}

/** Sends one benchmark message to the room; each contender its own way. */
type RoomSender = (data: unknown) => void;

function rawWebSocketServer(httpServer: Server, onMessage: (socket: WebSocket, text: string) => void): Set<WebSocket> {
  const room = new Set<WebSocket>();
  const wss = new WebSocketServer({ server: httpServer, perMessageDeflate: false, maxPayload: 64 * 1024 });
  wss.on('connection', (socket) => {
    room.add(socket);
    socket.on('message', (data) => onMessage(socket, data.toString()));
    socket.on('close', () => room.delete(socket));
  });
  return room;
}

/** Largest payload a frame header carries in its 16-bit length (RFC 6455 §5.2); the bench's messages are far smaller. */
const MAX_16_BIT_PAYLOAD = 0xffff;
/** Payloads up to this length fit in the header's first length byte. */
const MAX_7_BIT_PAYLOAD = 125;
/** First header byte of a final text frame; second byte's length marker for a 16-bit length. */
const FIN_TEXT = 0x81;
const LENGTH_16_BIT = 126;

/** One unmasked, final text frame of `text`, as a server sends it. */
function frameOnce(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > MAX_16_BIT_PAYLOAD) throw new Error('bench frames stay under 64 KiB');
  const header = payload.length <= MAX_7_BIT_PAYLOAD ? Buffer.from([FIN_TEXT, payload.length]) : Buffer.from([FIN_TEXT, LENGTH_16_BIT, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([header, payload]);
}

/** The TCP socket under a server-side `ws` WebSocket (`ws` keeps it as `_socket`). */
function tcpSocketOf(socket: WebSocket): Duplex {
  return (socket as unknown as { _socket: Duplex })._socket;
}

/** A contender's server: how it sends to the room, counts its connections and, when it does not use the Node HTTP server, listens. */
interface ContenderServer {
  send: RoomSender;
  connections: () => number;
  listen?: () => Promise<number>;
}

/** uWebSockets.js: every socket subscribes to the room's topic; a send publishes one frame to it, fanned out in native code. */
function uwsServer(): ContenderServer {
  const app = uWS.App();
  let open = 0;
  app.ws('/*', {
    maxPayloadLength: 64 * 1024,
    idleTimeout: 0,
    open: (socket) => {
      open += 1;
      socket.subscribe(BENCH_ROOM);
    },
    message: (socket, message) => {
      const text = Buffer.from(message).toString();
      if (text.includes(PING)) socket.send(JSON.stringify({ event: PONG }));
      else if (text.includes(CHAT_EVENT)) {
        const { data } = JSON.parse(text) as { data: unknown };
        app.publish(BENCH_ROOM, JSON.stringify({ event: BENCH_EVENT, data }));
      }
    },
    close: () => {
      open -= 1;
    },
  });
  return {
    send: (data) => void app.publish(BENCH_ROOM, JSON.stringify({ event: BENCH_EVENT, data })),
    connections: () => open,
    listen: () =>
      new Promise((resolve, reject) => {
        app.listen('127.0.0.1', 0, (socket) => (socket ? resolve(uWS.us_socket_local_port(socket)) : reject(new Error('uWS could not listen'))));
      }),
  };
}

function startContender(httpServer: Server): ContenderServer {
  const echo = (socket: WebSocket, text: string): void => {
    if (text.includes(PING)) socket.send(JSON.stringify({ event: PONG }));
  };
  /** The raw `ws` relay: a chat message goes to the room, serialized once. */
  const relayOnce =
    (room: () => Set<WebSocket>) =>
    (socket: WebSocket, text: string): void => {
      if (!text.includes(CHAT_EVENT)) return echo(socket, text);
      const { data } = JSON.parse(text) as { data: unknown };
      const frame = JSON.stringify({ event: BENCH_EVENT, data });
      for (const member of room()) member.send(frame);
    };
  switch (contender) {
    case Contender.UWS:
      return uwsServer();
    case Contender.RAW_WS_STRINGIFY: {
      const room = rawWebSocketServer(httpServer, echo);
      return {
        send: (data) => {
          for (const socket of room) socket.send(JSON.stringify({ event: BENCH_EVENT, data }));
        },
        connections: () => room.size,
      };
    }
    case Contender.RAW_WS_ONCE: {
      const room: Set<WebSocket> = rawWebSocketServer(httpServer, (socket, text) => relay(socket, text));
      const relay = relayOnce(() => room);
      return {
        send: (data) => {
          const frame = JSON.stringify({ event: BENCH_EVENT, data });
          for (const socket of room) socket.send(frame);
        },
        connections: () => room.size,
      };
    }
    case Contender.RAW_WS_FRAMED_ONCE: {
      const room: Set<WebSocket> = rawWebSocketServer(httpServer, echo);
      // The turn's frames, built once each; at the end of the turn they go to every member in one write.
      const turnFrames: Buffer[] = [];
      const writeTurn = (): void => {
        const bytes = turnFrames.length === 1 ? turnFrames[0]! : Buffer.concat(turnFrames);
        turnFrames.length = 0;
        for (const socket of room) tcpSocketOf(socket).write(bytes);
      };
      return {
        send: (data) => {
          if (turnFrames.push(frameOnce(JSON.stringify({ event: BENCH_EVENT, data }))) === 1) process.nextTick(writeTurn);
        },
        connections: () => room.size,
      };
    }
    case Contender.RAW_WS_NAIVE_GCM: {
      // The naive way: a key per socket, a JSON envelope with base64 fields per recipient.
      const keys = new WeakMap<WebSocket, Buffer>();
      const room = rawWebSocketServer(httpServer, echo);
      return {
        send: (data) => {
          const plaintext = JSON.stringify({ event: BENCH_EVENT, data });
          for (const socket of room) {
            let key = keys.get(socket);
            if (!key) keys.set(socket, (key = randomBytes(32)));
            const iv = randomBytes(12);
            const cipher = createCipheriv('aes-256-gcm', key, iv);
            const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
            socket.send(
              JSON.stringify({
                event: 'encrypted',
                data: { iv: iv.toString('base64'), ct: ct.toString('base64'), tag: cipher.getAuthTag().toString('base64') },
              }),
            );
          }
        },
        connections: () => room.size,
      };
    }
    case Contender.SOCKET_IO: {
      const io = new SocketIoServer(httpServer, { transports: ['websocket'], serveClient: false, perMessageDeflate: false });
      io.on('connection', (socket) => {
        void socket.join(BENCH_ROOM);
        socket.on(PING, (ack: () => void) => ack());
        socket.on(CHAT_EVENT, (data: unknown) => void io.to(BENCH_ROOM).emit(BENCH_EVENT, data));
      });
      return { send: (data) => void io.to(BENCH_ROOM).emit(BENCH_EVENT, data), connections: () => io.engine.clientsCount };
    }
    case Contender.SEALED_PLAIN:
    case Contender.SEALED_ENCRYPTED:
    case Contender.SEALED_RESUMED:
    case Contender.SEALED_FULL_RAW:
    case Contender.SEALED_PLAIN_HISTORY:
    case Contender.SEALED_ENCRYPTED_HISTORY:
    case Contender.SEALED_PLAIN_WRITE_DELAY: {
      const kit = ENCRYPTED_SEALED.has(contender)
        ? createSecureServerKit({ identity: new NodeCryptoProvider().ed25519KeyPair(), acceptedLevels: [SecurityLevel.ENCRYPTED] })
        : undefined;
      const keepsHistory = contender === Contender.SEALED_PLAIN_HISTORY || contender === Contender.SEALED_ENCRYPTED_HISTORY;
      const helper = new WebSocketServerHelper({
        server: httpServer,
        logger: createDefaultLogger({ level: 'warn' }),
        authenticateFn: ({ data }) => ({ userId: String((data as { token?: unknown }).token) }),
        validateRoomFn: ({ rooms }) => rooms,
        messageHandler: ({ clientId, event, data }) => {
          if (event === PING) void helper.sendToClient({ clientId, event: PONG });
          else if (event === CHAT_EVENT) void helper.sendToRoom({ room: BENCH_ROOM, event: BENCH_EVENT, data });
        },
        maxConnections: LARGE_LIMIT,
        // Every load client comes from loopback and connects 50 at a time: the abuse limits before authentication are not what is measured.
        maxUnauthenticatedConnections: LARGE_LIMIT,
        maxUnauthenticatedPerAddress: LARGE_LIMIT,
        upgradesPerSecondPerAddress: LARGE_LIMIT,
        upgradeBurstPerAddress: LARGE_LIMIT,
        maxIncompleteRequestsPerAddress: LARGE_LIMIT,
        rateLimit: { messagesPerSecond: LARGE_LIMIT, burst: LARGE_LIMIT },
        // BENCH_WRITE_COALESCING=iteration measures the Sealed servers with writes coalesced per loop iteration.
        ...(process.env.BENCH_WRITE_COALESCING ? { writeCoalescing: process.env.BENCH_WRITE_COALESCING as WriteCoalescing } : {}),
        // At saturating relay load a sender's frames wait on the relay: the flood guard would close it, and the others have none.
        maxInboundQueue: LARGE_LIMIT,
        inboundBytesPerSecond: LARGE_LIMIT * LARGE_LIMIT,
        inboundBurstBytes: LARGE_LIMIT * LARGE_LIMIT,
        ...(contender === Contender.SEALED_PLAIN_WRITE_DELAY ? { writeDelayMs: BENCH_WRITE_DELAY_MS } : {}),
        // The history contenders: every room keeps a stream, in memory (the embedded default store).
        ...(keepsHistory ? { roomHistoryFn: () => true } : {}),
        ...(kit
          ? {
              handshakeFn: kit.handshakeFn,
              outboundTransformer: kit.outboundTransformer,
              inboundTransformer: kit.inboundTransformer,
              requireEncryption: true,
            }
          : {}),
      });
      return {
        send: (data) => void helper.sendToRoom({ room: BENCH_ROOM, event: BENCH_EVENT, data }),
        connections: () => helper.getMetrics().connections,
      };
    }
    default:
      throw new Error(`Unknown contender ${contender}`);
  }
}

/** V8's young-generation spaces: sized by the recent allocation rate, not by what the process holds. */
const YOUNG_GENERATION_SPACES: ReadonlySet<string> = new Set(['new_space', 'new_large_object_space']);

/** Bytes of memory the young generation's spaces occupy now. */
function youngGenerationBytes(): number {
  let bytes = 0;
  for (const space of getHeapSpaceStatistics()) if (YOUNG_GENERATION_SPACES.has(space.space_name)) bytes += space.physical_space_size;
  return bytes;
}

/** Where BENCH_CPU_PROF and BENCH_HEAP_SNAPSHOT write. */
const PROFILE_DIRECTORY = fileURLToPath(new URL('../results/profiles/', import.meta.url));
/** How often `await-idle` looks at the connection count. */
const IDLE_POLL_MS = 10;

const httpServer = createServer();
const { send, connections, listen } = startContender(httpServer);
let cpuStart: NodeJS.CpuUsage | undefined;
/** With BENCH_PERF=1, `perf record` of each measured window (cpu-start to cpu-stop). */
const perf = process.env.BENCH_PERF === '1' ? new PerfRecorder(`${PROFILE_DIRECTORY}${run}-${process.pid}`) : undefined;
let perfWindows = 0;
let sequence = 0;

/** Sends `messages`, `perTurn` of them in each event-loop turn. */
function sendBursts(messages: number, perTurn: number): Promise<void> {
  return new Promise((resolve) => {
    let left = messages;
    const turn = (): void => {
      for (let i = 0; i < perTurn && left > 0; i += 1, left -= 1) send(benchPayload(sequence++, preciseNow()));
      if (left > 0) setImmediate(turn);
      else resolve();
    };
    turn();
  });
}

function sendAtRate(messagesPerSecond: number, durationMs: number): Promise<void> {
  return new Promise((resolve) => {
    const intervalMs = 1000 / messagesPerSecond;
    const started = preciseNow();
    let sent = 0;
    const tick = (): void => {
      const due = Math.floor((preciseNow() - started) / intervalMs);
      while (sent < due) {
        send(benchPayload(sequence++, preciseNow()));
        sent += 1;
      }
      if (preciseNow() - started < durationMs) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
}

process.on('message', async (command: ServerCommand) => {
  try {
    switch (command.type) {
      case 'cpu-start':
        await perf?.start((perfWindows += 1));
        cpuStart = process.cpuUsage();
        reply({ type: 'cpu-started' });
        break;
      case 'cpu-stop': {
        const used = process.cpuUsage(cpuStart);
        await perf?.stop();
        reply({ type: 'cpu', microseconds: used.user + used.system, userMicroseconds: used.user });
        break;
      }
      case 'send':
        await sendBursts(command.messages, command.perTurn);
        reply({ type: 'sent' });
        break;
      case 'send-at-rate':
        await sendAtRate(command.messagesPerSecond, command.durationMs);
        reply({ type: 'sent' });
        break;
      case 'await-idle':
        while (connections() > 0) await new Promise((resolve) => setTimeout(resolve, IDLE_POLL_MS));
        reply({ type: 'idle' });
        break;
      case 'memory':
        for (let i = 0; i < 3; i += 1) globalThis.gc?.();
        if (process.env.BENCH_HEAP_SNAPSHOT === '1' && connections() > 0) {
          mkdirSync(PROFILE_DIRECTORY, { recursive: true });
          writeHeapSnapshot(`${PROFILE_DIRECTORY}${run}-${connections()}.heapsnapshot`);
        }
        {
          const { rss, heapUsed } = process.memoryUsage();
          reply({ type: 'memory', rss, heapUsed, youngGeneration: youngGenerationBytes(), connections: connections() });
        }
        break;
      case 'stop':
        process.exit(0);
    }
  } catch (error) {
    reply({ type: 'error', message: String(error) });
  }
});

if (listen) void listen().then((port) => reply({ type: 'listening', port }));
// A deep accept queue: at scale, a thousand load connections arrive at once (Node's default backlog is 511).
else httpServer.listen({ port: 0, host: '127.0.0.1', backlog: LISTEN_BACKLOG }, () => reply({ type: 'listening', port: (httpServer.address() as AddressInfo).port }));
