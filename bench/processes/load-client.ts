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
import {
  HANDSHAKE_FIELD,
  answerResumedServerHello,
  answerServerHello,
  createClientHello,
  readTicket,
  type AeadSuite,
  type ClientHandshakeResult,
  type HeldTicket,
  type SecureChannel,
} from '@sealed/helpers/crypto';
import {
  BENCH_EVENT,
  BENCH_ROOM,
  CHAT_EVENT,
  CHAT_INTERVAL_MS,
  CHURN_INTERVAL_MS,
  Contender,
  benchPayload,
  parseContenderRun,
  preciseNow,
  type ClientCommand,
  type ClientMode,
  type ClientReply,
  type ContenderRun,
} from '../lib/bench-protocol.ts';

const [run, port, connectionCount, mode, concurrencyArgument] = process.argv.slice(2) as [
  ContenderRun,
  string,
  string,
  ClientMode,
  string,
];
/** A baseline run's clients are the contender's own: only its server runs another build. */
const { contender } = parseContenderRun(run);
const total = Number(connectionCount);
const concurrency = Number(concurrencyArgument);
const crypto = new NodeCryptoProvider();
/** The identity of every raw encrypted connection of this process. */
const identity = crypto.ed25519KeyPair();
/** The contenders whose load clients speak the Sealed protocol. */
const SEALED_CONTENDERS: ReadonlySet<Contender> = new Set([
  Contender.SEALED_PLAIN,
  Contender.SEALED_ENCRYPTED,
  Contender.SEALED_RESUMED,
  Contender.SEALED_FULL_RAW,
  Contender.SEALED_PLAIN_HISTORY,
  Contender.SEALED_ENCRYPTED_HISTORY,
  Contender.SEALED_PLAIN_WRITE_DELAY,
]);
/** The Sealed contenders that run encrypted. */
const ENCRYPTED_CONTENDERS: ReadonlySet<Contender> = new Set([
  Contender.SEALED_ENCRYPTED,
  Contender.SEALED_RESUMED,
  Contender.SEALED_FULL_RAW,
  Contender.SEALED_ENCRYPTED_HISTORY,
]);

function reply(message: ClientReply): void {
  process.send!(message);
}

let received = 0;
let expected = Number.POSITIVE_INFINITY;
const latencies: number[] = [];

function onBench(data: { ts: number }): void {
  if (mode === 'latency' || mode === 'chat' || mode === 'relay') latencies.push(preciseNow() - data.ts);
  received += 1;
  if (received === expected) reply({ type: 'received', count: received, at: preciseNow() });
}

/** Sends one CHAT_EVENT on a connection, the way that contender's clients do. */
type ChatSender = (data: unknown) => void;

/** One connection, opened, joined and with one round trip done; resolves with its closer, and with its chat sender when it has one. */
type Connector = (index: number) => Promise<(() => void) & { chat?: ChatSender }>;

/** A closer that also carries the connection's chat sender. */
function withChat(close: () => void, chat: ChatSender): (() => void) & { chat: ChatSender } {
  return Object.assign(close, { chat });
}

const rawConnector: Connector = (index) =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/`);
    socket.on('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ event: 'ping', data: index })));
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as { event: string; data: { ts: number } };
      if (message.event === 'pong') resolve(withChat(() => socket.terminate(), (data) => socket.send(JSON.stringify({ event: CHAT_EVENT, data }))));
      else onBench(message.data);
    });
  });

const socketIoConnector: Connector = () =>
  new Promise((resolve, reject) => {
    const socket: Socket = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false });
    socket.on('connect_error', reject);
    socket.on(BENCH_EVENT, onBench);
    socket.on('connect', () =>
      socket.emit('ping', () => resolve(withChat(() => socket.disconnect(), (data) => void socket.emit(CHAT_EVENT, data)))),
    );
  });

const sealedConnector: Connector = async (index) => {
  const client = new SealedClient({
    url: `ws://127.0.0.1:${port}/ws`,
    credentials: { token: `user-${process.pid}-${index}` },
    level: ENCRYPTED_CONTENDERS.has(contender) ? SecurityLevel.ENCRYPTED : SecurityLevel.NONE,
    crypto,
    WebSocket: WebSocket,
    reconnect: { enabled: false },
  });
  const pong = new Promise<void>((resolve) => client.on('pong', () => resolve()));
  client.on(BENCH_EVENT, onBench);
  // The first emit is made while the connection is set up, as an application's first emit is: it goes right behind the credentials.
  await Promise.all([client.connect(), client.emit('ping')]);
  await pong;
  if (mode !== 'setup' && mode !== 'connected') await client.join([BENCH_ROOM]);
  if (mode === 'relay') return withChat(() => client.close(), (data) => void client.emit(CHAT_EVENT, data).catch(() => undefined));
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

/** What a raw encrypted connection does with each opened frame until its set-up is done. */
type SetupStep = (event: string, data: unknown, sendSealed: (event: string, data?: unknown) => void) => 'next' | 'done';

/**
 * An encrypted connection run with `@sealed/helpers/crypto` directly: the
 * full handshake, or a resumption when `held` is given. Frames are opened
 * in order and handed to `step` until it says the set-up is done; after
 * that, binary frames are counted without being opened (`onCounted`), like
 * the naive-GCM clients (which cannot open theirs): the throughput scenario
 * measures what the server and the network do, not client decryption.
 */
function rawSecureConnection(
  index: number,
  held: HeldTicket | undefined,
  step: SetupStep,
  onCounted: () => void = () => undefined,
): Promise<{ socket: WebSocket; channel: SecureChannel; resumptionSecret: Uint8Array; suite: AeadSuite; serverIdentity: Uint8Array }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const credentials = Buffer.from(JSON.stringify({ token: `user-${process.pid}-${index}` }));
    const { hello, pending } = createClientHello({ crypto, level: SecurityLevel.ENCRYPTED, nowMs: Date.now(), ticket: held?.ticket });
    let session: ClientHandshakeResult | undefined;
    let done = false;
    const sendSealed = (event: string, data?: unknown): void => {
      socket.send(session!.channel.seal(Buffer.from(JSON.stringify({ event, data })), Date.now()) as Uint8Array);
    };
    socket.on('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ event: 'authenticate', data: { [HANDSHAKE_FIELD]: hello } })));
    socket.on('message', async (raw, isBinary) => {
      if (!isBinary) {
        const message = JSON.parse(raw.toString()) as { event: string; data: unknown };
        if (message.event !== 'sealed:handshake') return reject(new Error(raw.toString()));
        const answered = held
          ? await answerResumedServerHello({ crypto, pending, held, reply: message.data, credentials, clientIdentity: identity.publicKey, nowMs: Date.now() })
          : await answerServerHello({
              crypto,
              pending,
              reply: message.data,
              identity,
              credentials,
              trust: { pins: new InMemoryPinStore(), pinName: 'bench' },
              nowMs: Date.now(),
            });
        if (!answered.ok) return reject(new Error(`handshake failed: ${answered.code}`));
        session = answered;
        socket.send(JSON.stringify({ event: 'sealed:finish', data: answered.finish }));
        return;
      }
      if (done) return onCounted();
      const opened = await session!.channel.open(new Uint8Array(raw as Buffer));
      if (!opened.ok) return reject(new Error(`frame refused: ${opened.code}`));
      const message = JSON.parse(Buffer.from(opened.plaintext).toString()) as { event: string; data: unknown };
      if (step(message.event, message.data, sendSealed) === 'next') return;
      done = true;
      resolve({ socket, channel: session!.channel, resumptionSecret: session!.resumptionSecret, suite: session!.suite, serverIdentity: session!.serverIdentity });
    });
  });
}

/** The set-up of a throughput client: connected, one round trip, joined; later frames are counted. */
const sealedCountingConnector: Connector = async (index) => {
  const { socket } = await rawSecureConnection(
    index,
    undefined,
    (event, _data, sendSealed) => {
      if (event === 'connected') sendSealed('ping');
      else if (event === 'pong') sendSealed('join', { rooms: [BENCH_ROOM] });
      return event === 'joined' ? 'done' : 'next';
    },
    () => onBench({ ts: 0 }),
  );
  return () => socket.terminate();
};

/** One connection's ticket: a full handshake, then the `sealed:ticket` the server sends once it is open. */
async function primeTicket(index: number): Promise<HeldTicket> {
  let ticketData: unknown;
  const primed = await rawSecureConnection(index, undefined, (event, data) => {
    if (event !== 'sealed:ticket') return 'next';
    ticketData = data;
    return 'done';
  });
  primed.socket.terminate();
  const held = readTicket({
    crypto,
    data: ticketData,
    resumptionSecret: primed.resumptionSecret,
    serverIdentity: primed.serverIdentity,
    level: SecurityLevel.ENCRYPTED,
    suite: primed.suite,
    nowMs: Date.now(),
  });
  if (!held) throw new Error('the server sent no usable ticket');
  return held;
}

/** The contenders whose set-up clients first run a full handshake each for a ticket. */
const PRIMING_CONTENDERS: ReadonlySet<Contender> = new Set([Contender.SEALED_RESUMED, Contender.SEALED_FULL_RAW]);

/** Tickets of the primed connections, by index, for the measured set-ups. */
const tickets = new Map<number, HeldTicket>();

/**
 * A measured set-up of `sealed-resumed`: resume from the ticket primed for
 * this index, then one round trip. `sealed-full-raw-client` primes the same
 * way and runs the full handshake instead, so the two differ only in the
 * ticket.
 */
const primedConnector: Connector = async (index) => {
  const held = tickets.get(index);
  if (!held) throw new Error(`no ticket primed for connection ${index}`);
  tickets.delete(index);
  const presented = contender === Contender.SEALED_RESUMED ? held : undefined;
  const { socket } = await rawSecureConnection(index, presented, (event, _data, sendSealed) => {
    if (event === 'connected') sendSealed('ping');
    return event === 'pong' ? 'done' : 'next';
  });
  return () => socket.terminate();
};

const connector: Connector =
  contender === Contender.SOCKET_IO
    ? socketIoConnector
    : PRIMING_CONTENDERS.has(contender) && mode === 'setup'
      ? primedConnector
      : ENCRYPTED_CONTENDERS.has(contender) && mode === 'receive'
        ? sealedCountingConnector
        : SEALED_CONTENDERS.has(contender)
          ? sealedConnector
          : rawConnector;

const closers: Array<(() => void) & { chat?: ChatSender }> = [];
let chatSequence = 0;

/** `relay` mode: the first `senders` connections take turns sending `messagesPerSecond` CHAT_EVENTs in all for `durationMs`. */
function relay(senders: number, messagesPerSecond: number, durationMs: number): Promise<number> {
  const chats = closers.slice(0, senders).flatMap((closer) => (closer.chat ? [closer.chat] : []));
  return new Promise((resolve) => {
    if (chats.length === 0 || messagesPerSecond <= 0) return resolve(0);
    const intervalMs = 1000 / messagesPerSecond;
    const started = preciseNow();
    let sent = 0;
    const tick = (): void => {
      const due = Math.min(Math.floor((preciseNow() - started) / intervalMs), Math.floor((durationMs / 1000) * messagesPerSecond));
      while (sent < due) {
        chats[sent % chats.length]!(benchPayload(chatSequence++, preciseNow()));
        sent += 1;
      }
      if (preciseNow() - started < durationMs) setTimeout(tick, 1);
      else resolve(sent);
    };
    tick();
  });
}

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
    case 'relay':
      void relay(command.senders, command.messagesPerSecond, command.durationMs).then((sent) => reply({ type: 'relayed', sent }));
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

/** A priming contender in `setup` mode: every connection first runs a full handshake for its ticket (unmeasured), then waits for `go`. */
async function primeAll(): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const index = next++;
      tickets.set(index, await primeTicket(index));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  reply({ type: 'primed', connections: total });
  await new Promise<void>((resolve) => {
    process.on('message', (command: ClientCommand) => {
      if (command.type === 'go') resolve();
    });
  });
}

const primes = PRIMING_CONTENDERS.has(contender) && mode === 'setup';
(primes ? primeAll() : Promise.resolve()).then(openAll).then(
  (elapsedMs) => {
    if (mode === 'chat') startChurn();
    if (mode === 'setup') reply({ type: 'setup-done', connections: total, elapsedMs });
    else reply({ type: 'ready', connections: total });
  },
  (error: unknown) => reply({ type: 'error', message: String(error) }),
);
