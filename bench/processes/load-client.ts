/**
 * Load clients for one contender, in a process of their own: opens
 * connections the way that contender's real clients do, joins the room, and
 * counts (or times) the benchmark messages that arrive.
 *
 * argv: contender, port, connections, mode, concurrency
 */
import { io, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import { InMemoryPinStore, NodeCryptoProvider, SecurityLevel } from '@sealed/helpers';
import { SealedClient } from '@sealed/helpers/client';
import { HANDSHAKE_FIELD, answerServerHello, createClientHello, type SecureChannel } from '@sealed/helpers/crypto';
import {
  BENCH_EVENT,
  BENCH_ROOM,
  CHAT_EVENT,
  CHAT_INTERVAL_MS,
  CHURN_INTERVAL_MS,
  Contender,
  benchPayload,
  preciseNow,
  type ClientCommand,
  type ClientMode,
  type ClientReply,
} from '../lib/bench-protocol.ts';

const [contender, port, connectionCount, mode, concurrencyArgument] = process.argv.slice(2) as [
  Contender,
  string,
  string,
  ClientMode,
  string,
];
const total = Number(connectionCount);
const concurrency = Number(concurrencyArgument);
const crypto = new NodeCryptoProvider();

function reply(message: ClientReply): void {
  process.send!(message);
}

let received = 0;
let expected = Number.POSITIVE_INFINITY;
const latencies: number[] = [];

function onBench(data: { ts: number }): void {
  if (mode === 'latency' || mode === 'chat') latencies.push(preciseNow() - data.ts);
  received += 1;
  if (received === expected) reply({ type: 'received', count: received, at: preciseNow() });
}

/** One connection, opened, joined and with one round trip done; resolves with its closer. */
type Connector = (index: number) => Promise<() => void>;

const rawConnector: Connector = (index) =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/`);
    socket.on('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ event: 'ping', data: index })));
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as { event: string; data: { ts: number } };
      if (message.event === 'pong') resolve(() => socket.terminate());
      else onBench(message.data);
    });
  });

const socketIoConnector: Connector = () =>
  new Promise((resolve, reject) => {
    const socket: Socket = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false });
    socket.on('connect_error', reject);
    socket.on(BENCH_EVENT, onBench);
    socket.on('connect', () => socket.emit('ping', () => resolve(() => socket.disconnect())));
  });

const sealedConnector: Connector = async (index) => {
  const client = new SealedClient({
    url: `ws://127.0.0.1:${port}/ws`,
    credentials: { token: `user-${process.pid}-${index}` },
    level: contender === Contender.SEALED_ENCRYPTED ? SecurityLevel.ENCRYPTED : SecurityLevel.NONE,
    crypto,
    WebSocket: WebSocket,
    reconnect: { enabled: false },
  });
  const pong = new Promise<void>((resolve) => client.on('pong', () => resolve()));
  client.on(BENCH_EVENT, onBench);
  await client.connect();
  await client.emit('ping');
  await pong;
  if (mode !== 'setup' && mode !== 'connected') await client.join([BENCH_ROOM]);
  if (mode !== 'chat') return () => client.close();
  // Each connection chats at the same rate, in its own phase.
  let sequence = 0;
  const chat = (): void => void client.emit(CHAT_EVENT, benchPayload(sequence++, preciseNow())).catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const phase = setTimeout(() => {
    chat();
    timer = setInterval(chat, CHAT_INTERVAL_MS);
  }, Math.random() * CHAT_INTERVAL_MS);
  return () => {
    clearTimeout(phase);
    clearInterval(timer);
    client.close();
  };
};

/**
 * An encrypted client that counts frames without opening them, like the
 * naive-GCM clients (which cannot open theirs): the throughput scenario
 * measures what the server and the network do, not client decryption.
 */
const sealedCountingConnector: Connector = (index) =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const identity = crypto.ed25519KeyPair();
    const { hello, pending } = createClientHello({ crypto, level: SecurityLevel.ENCRYPTED, nowMs: Date.now() });
    let binaryFrames = 0;
    let channel: SecureChannel | undefined;
    const sendSealed = (event: string, data?: unknown): void => {
      if (!channel) return;
      socket.send(channel.seal(Buffer.from(JSON.stringify({ event, data })), Date.now()) as Uint8Array);
    };
    socket.on('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ event: 'authenticate', data: { [HANDSHAKE_FIELD]: hello } })));
    socket.on('message', async (raw, isBinary) => {
      if (!isBinary) {
        const message = JSON.parse(raw.toString()) as { event: string; data: unknown };
        if (message.event !== 'sealed:handshake') return reject(new Error(raw.toString()));
        const answered = await answerServerHello({
          crypto,
          pending,
          reply: message.data,
          identity,
          credentials: Buffer.from(JSON.stringify({ token: `user-${process.pid}-${index}` })),
          trust: { pins: new InMemoryPinStore(), pinName: 'bench' },
          nowMs: Date.now(),
        });
        if (!answered.ok) return reject(new Error(`handshake failed: ${answered.code}`));
        channel = answered.channel;
        socket.send(JSON.stringify({ event: 'sealed:finish', data: answered.finish }));
        return;
      }
      // connected, then the answer to ping, then joined; after that, benchmark messages.
      binaryFrames += 1;
      if (binaryFrames === 1) sendSealed('ping');
      else if (binaryFrames === 2) sendSealed('join', { rooms: [BENCH_ROOM] });
      else if (binaryFrames === 3) resolve(() => socket.terminate());
      else onBench({ ts: 0 });
    });
  });

const connector: Connector =
  contender === Contender.SOCKET_IO
    ? socketIoConnector
    : contender === Contender.SEALED_ENCRYPTED && mode === 'receive'
      ? sealedCountingConnector
      : contender === Contender.SEALED_PLAIN || contender === Contender.SEALED_ENCRYPTED
        ? sealedConnector
        : rawConnector;

const closers: Array<() => void> = [];

async function openAll(): Promise<number> {
  const started = preciseNow();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const index = next++;
      closers.push(await connector(index));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return preciseNow() - started;
}

process.on('message', (command: ClientCommand) => {
  switch (command.type) {
    case 'reset':
      received = 0;
      latencies.length = 0;
      expected = command.expect;
      reply({ type: 'reset-done' });
      break;
    case 'report-latency':
      reply({ type: 'latency', samples: latencies });
      break;
    case 'stop':
      clearInterval(churn);
      for (const close of closers) close();
      setTimeout(() => process.exit(0), 100).unref();
      break;
  }
});

/** In `chat` mode: one connection replaced every CHURN_INTERVAL_MS, so state of closed clients has to be let go. */
let churn: NodeJS.Timeout | undefined;
let nextIndex = total;

function startChurn(): void {
  churn = setInterval(() => {
    const victim = Math.floor(Math.random() * closers.length);
    closers.splice(victim, 1)[0]?.();
    connector(nextIndex++).then(
      (close) => closers.push(close),
      (error: unknown) => reply({ type: 'error', message: `churn: ${String(error)}` }),
    );
  }, CHURN_INTERVAL_MS);
}

openAll().then(
  (elapsedMs) => {
    if (mode === 'chat') startChurn();
    if (mode === 'setup') reply({ type: 'setup-done', connections: total, elapsedMs });
    else reply({ type: 'ready', connections: total });
  },
  (error: unknown) => reply({ type: 'error', message: String(error) }),
);
