import {
  Contender,
  parseContenderRun,
  preciseNow,
  type ContenderRun,
  type ClientCommand,
  type ClientMode,
  type ClientReply,
  type ServerCommand,
  type ServerReply,
} from './bench-protocol.ts';
import { ProcessHandle } from './process-handle.ts';
import { median, percentile } from './stats.ts';

type Server = ProcessHandle<ServerCommand, ServerReply>;
type Client = ProcessHandle<ClientCommand, ClientReply>;

/** Connections one load-client process holds at most. */
const CONNECTIONS_PER_CLIENT_PROCESS = 500;
/** Connections opened at once while setting up. */
const SETUP_CONCURRENCY = 50;
const BYTES_PER_KIB = 1024;

/** One row of the results: medians over the rounds. */
export interface ResultRow {
  scenario: string;
  contender: ContenderRun;
  roomSize: number;
  rounds: number;
  deliveriesPerSec?: number;
  serverCpuUsPerDelivery?: number;
  /** Broadcast: the user-space part of `serverCpuUsPerDelivery` (the rest is the kernel's: system calls and, on loopback, the receiving side's TCP work). */
  serverUserCpuUsPerDelivery?: number;
  setupsPerSec?: number;
  serverCpuUsPerSetup?: number;
  rssKiBPerConnection?: number;
  heapKiBPerConnection?: number;
  /** Handshake crypto without sockets: the client's share (portable provider) and the server's (Node provider). */
  clientCryptoUsPerSetup?: number;
  serverCryptoUsPerSetup?: number;
  latencyP50Ms?: number;
  latencyP99Ms?: number;
  latencyP999Ms?: number;
  /** Chat relay: the chat messages offered per second, across the room's senders. */
  offeredMessagesPerSec?: number;
  /** Broadcast: each measured round's figures, in order, so the spread behind a median can be seen. */
  roundsMeasured?: Array<{ deliveriesPerSec: number; serverCpuUsPerDelivery: number; serverUserCpuUsPerDelivery: number }>;
}

/**
 * Opens the server's CPU window and waits until it is open. Work sent
 * before the acknowledgement could run first: the server handles each
 * message as it comes, and the window's start may wait on perf.
 */
async function startCpuWindow(server: Server): Promise<void> {
  server.send({ type: 'cpu-start' });
  await server.next('cpu-started');
}

async function startServer(contender: ContenderRun): Promise<{ server: Server; port: number }> {
  const server: Server = ProcessHandle.start('processes/bench-server.ts', [contender], true);
  const { port } = await server.next('listening');
  return { server, port };
}

async function startClients(contender: ContenderRun, port: number, connections: number, mode: ClientMode): Promise<Client[]> {
  const clients: Client[] = [];
  for (let left = connections; left > 0; left -= CONNECTIONS_PER_CLIENT_PROCESS) {
    const share = Math.min(CONNECTIONS_PER_CLIENT_PROCESS, left);
    clients.push(ProcessHandle.start('processes/load-client.ts', [contender, String(port), String(share), mode, String(SETUP_CONCURRENCY)]));
  }
  if (mode !== 'setup') await Promise.all(clients.map((client) => client.next('ready')));
  return clients;
}

async function stopAll(server: Server, clients: Client[]): Promise<void> {
  await Promise.all(clients.map((client) => client.stop()));
  await server.stop();
}

function sharesOf(connections: number): number[] {
  const shares: number[] = [];
  for (let left = connections; left > 0; left -= CONNECTIONS_PER_CLIENT_PROCESS) shares.push(Math.min(CONNECTIONS_PER_CLIENT_PROCESS, left));
  return shares;
}

/** A contender and the scenario its rows are reported under. */
export interface Entry {
  scenario: string;
  contender: ContenderRun;
  /** Messages the server sends per event-loop turn. */
  perTurn: number;
}

/** One contender's server and load clients, held open across the rounds of a broadcast measurement, and the figures of each entry it serves. */
interface BroadcastStage {
  contender: ContenderRun;
  server: Server;
  clients: Client[];
  entries: Array<Entry & { rates: number[]; cpu: number[]; userCpu: number[] }>;
}

/** One broadcast round on an open stage: deliveries per second end to end, and server CPU per delivery (all, and in user space). */
async function broadcastRound(
  stage: BroadcastStage,
  roomSize: number,
  messagesPerRound: number,
  perTurn: number,
): Promise<{ rate: number; cpu: number; userCpu: number }> {
  const { server, clients } = stage;
  // Each load-client process holds the share of the room `startClients` gave it.
  const shares = sharesOf(roomSize);
  clients.forEach((client, i) => client.send({ type: 'reset', expect: shares[i]! * messagesPerRound }));
  await Promise.all(clients.map((client) => client.next('reset-done')));
  const done = Promise.all(clients.map((client) => client.next('received')));
  await startCpuWindow(server);
  const started = preciseNow();
  server.send({ type: 'send', messages: messagesPerRound, perTurn });
  const finished = Math.max(...(await done).map((report) => report.at));
  server.send({ type: 'cpu-stop' });
  const { microseconds, userMicroseconds } = await server.next('cpu');
  await server.next('sent');
  const deliveries = messagesPerRound * roomSize;
  return { rate: deliveries / ((finished - started) / 1000), cpu: microseconds / deliveries, userCpu: userMicroseconds / deliveries };
}

/**
 * Room broadcast, every contender side by side: all their servers and load
 * clients are open at once (idle but for the one being measured), one per
 * contender whatever the entries ask of it, and each round visits every
 * entry in turn, so a slow patch of the machine falls on all of them alike
 * and the ratios of one run compare like with like. The first
 * `warmUpRounds` rounds run the same way unmeasured, so the figures are
 * steady state, not JIT warm-up.
 */
export async function measureBroadcast(
  entries: readonly Entry[],
  roomSize: number,
  messagesPerRound: number,
  rounds: number,
  warmUpRounds: number,
): Promise<ResultRow[]> {
  const stages: BroadcastStage[] = [];
  try {
    for (const entry of entries) {
      let stage = stages.find((candidate) => candidate.contender === entry.contender);
      if (!stage) {
        const { server, port } = await startServer(entry.contender);
        stage = { contender: entry.contender, server, clients: [], entries: [] };
        stages.push(stage);
        stage.clients = await startClients(entry.contender, port, roomSize, 'receive');
      }
      stage.entries.push({ ...entry, rates: [], cpu: [], userCpu: [] });
    }
    for (let round = -warmUpRounds; round < rounds; round += 1) {
      for (const stage of stages) {
        for (const entry of stage.entries) {
          const { rate, cpu, userCpu } = await broadcastRound(stage, roomSize, messagesPerRound, entry.perTurn);
          if (round < 0) continue;
          entry.rates.push(rate);
          entry.cpu.push(cpu);
          entry.userCpu.push(userCpu);
        }
      }
    }
  } finally {
    for (const stage of stages) await stopAll(stage.server, stage.clients);
  }
  return stages.flatMap((stage) => stage.entries).map(({ scenario, contender, rates, cpu, userCpu }) => ({
    scenario,
    contender,
    roomSize,
    rounds,
    deliveriesPerSec: median(rates),
    serverCpuUsPerDelivery: median(cpu),
    serverUserCpuUsPerDelivery: median(userCpu),
    roundsMeasured: rates.map((deliveriesPerSec, i) => ({ deliveriesPerSec, serverCpuUsPerDelivery: cpu[i]!, serverUserCpuUsPerDelivery: userCpu[i]! })),
  }));
}

/** Whether a contender's set-up clients first make a full connection each for a ticket, then come back with it on `go`. */
function primesTickets(run: ContenderRun): boolean {
  const { contender } = parseContenderRun(run);
  return contender === Contender.SEALED_RESUMED || contender === Contender.SEALED_FULL_RAW;
}

/** For a contender that primes: waits until every client holds its tickets and the priming connections have closed. */
async function awaitPrimed(contender: ContenderRun, server: Server, clients: Client[]): Promise<void> {
  if (!primesTickets(contender)) return;
  await Promise.all(clients.map((client) => client.next('primed')));
  server.send({ type: 'await-idle' });
  await server.next('idle');
}

/** Starts set-up clients; a priming contender's make their measured connections only once told to. */
function go(contender: ContenderRun, clients: Client[]): void {
  if (primesTickets(contender)) for (const client of clients) client.send({ type: 'go' });
}

/**
 * One set-up round on a fresh server: connect, authenticate, (handshake,)
 * one round trip. The server first takes `warmUpConnections` unmeasured
 * and lets them close, so the figures are steady state, not JIT warm-up.
 * A priming contender's clients (`sealed-resumed`) first run a full
 * handshake each for a ticket, unmeasured; the measured set-ups resume.
 */
async function setupRound(contender: ContenderRun, connections: number, warmUpConnections: number): Promise<{ rate: number; cpu: number }> {
  const { server, port } = await startServer(contender);
  const warmUp = await startClients(contender, port, warmUpConnections, 'setup');
  await awaitPrimed(contender, server, warmUp);
  go(contender, warmUp);
  await Promise.all(warmUp.map((client) => client.next('setup-done')));
  await Promise.all(warmUp.map((client) => client.stop()));
  // The warm-up's closes are not part of the measured set-ups.
  server.send({ type: 'await-idle' });
  await server.next('idle');
  let clients: Client[] = [];
  if (primesTickets(contender)) {
    clients = await startClients(contender, port, connections, 'setup');
    await awaitPrimed(contender, server, clients);
    await startCpuWindow(server);
    go(contender, clients);
  } else {
    await startCpuWindow(server);
    clients = await startClients(contender, port, connections, 'setup');
  }
  const reports = await Promise.all(clients.map((client) => client.next('setup-done')));
  server.send({ type: 'cpu-stop' });
  const { microseconds } = await server.next('cpu');
  const elapsedMs = Math.max(...reports.map((report) => report.elapsedMs));
  await stopAll(server, clients);
  return { rate: connections / (elapsedMs / 1000), cpu: microseconds / connections };
}

/**
 * Connection set-up rate and server CPU per set-up, every contender side by
 * side: each round runs every contender once, in turn.
 */
export async function measureSetup(
  contenders: readonly ContenderRun[],
  connections: number,
  warmUpConnections: number,
  rounds: number,
): Promise<ResultRow[]> {
  const rates = contenders.map((): number[] => []);
  const cpu = contenders.map((): number[] => []);
  for (let round = 0; round < rounds; round += 1) {
    for (const [i, contender] of contenders.entries()) {
      const measured = await setupRound(contender, connections, warmUpConnections);
      rates[i]!.push(measured.rate);
      cpu[i]!.push(measured.cpu);
    }
  }
  return contenders.map((contender, i) => ({
    scenario: 'connection setup',
    contender,
    roomSize: 0,
    rounds,
    setupsPerSec: median(rates[i]!),
    serverCpuUsPerSetup: median(cpu[i]!),
  }));
}

/**
 * Memory per idle connection on the server, after garbage collection. The
 * server first holds `warmUpConnections` idle connections and lets them
 * close, unmeasured, so that what the first connections cost once (code
 * compiled, tables made on first use) is not counted per connection. RSS is
 * counted without the young generation's spaces: V8 grows and shrinks them
 * with the allocation rate (by up to 2 MiB either way across the connects
 * of a 2,000-connection round, 1 KiB a connection), and they hold no object
 * once collected.
 */
export async function measureMemory(contender: ContenderRun, connections: number, warmUpConnections: number, rounds: number): Promise<ResultRow> {
  const rss: number[] = [];
  const heap: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const { server, port } = await startServer(contender);
    const warmUp = await startClients(contender, port, warmUpConnections, 'idle');
    await Promise.all(warmUp.map((client) => client.stop()));
    server.send({ type: 'await-idle' });
    await server.next('idle');
    server.send({ type: 'memory' });
    const before = await server.next('memory');
    const clients = await startClients(contender, port, connections, 'idle');
    server.send({ type: 'memory' });
    const after = await server.next('memory');
    // The young generation is empty after the collections a reading starts with; the memory it occupies follows the allocation rate of the connects, not what the connections hold.
    const held = after.rss - after.youngGeneration - (before.rss - before.youngGeneration);
    rss.push(held / connections / BYTES_PER_KIB);
    heap.push((after.heapUsed - before.heapUsed) / connections / BYTES_PER_KIB);
    await stopAll(server, clients);
  }
  return { scenario: 'memory per idle connection', contender, roomSize: connections, rounds, rssKiBPerConnection: median(rss), heapKiBPerConnection: median(heap) };
}

/** Delivery latency at a fixed offered load. */
export async function measureLatency(
  contender: ContenderRun,
  roomSize: number,
  messagesPerSecond: number,
  durationMs: number,
): Promise<ResultRow> {
  const { server, port } = await startServer(contender);
  const clients = await startClients(contender, port, roomSize, 'latency');
  try {
    clients.forEach((client) => client.send({ type: 'reset', expect: Number.MAX_SAFE_INTEGER }));
    await Promise.all(clients.map((client) => client.next('reset-done')));
    server.send({ type: 'send-at-rate', messagesPerSecond, durationMs });
    await server.next('sent');
    await new Promise((resolve) => setTimeout(resolve, 500));
    clients.forEach((client) => client.send({ type: 'report-latency' }));
    const samples = (await Promise.all(clients.map((client) => client.next('latency')))).flatMap((report) => report.samples);
    return {
      scenario: `latency at ${messagesPerSecond * roomSize} deliveries/s`,
      contender,
      roomSize,
      rounds: 1,
      latencyP50Ms: percentile(samples, 50),
      latencyP99Ms: percentile(samples, 99),
    };
  } finally {
    await stopAll(server, clients);
  }
}

/** Share of a relay room's members that send. */
const RELAY_SENDER_SHARE = 0.1;
/** How long a relay round waits for messages still on their way once the senders stop. */
const RELAY_DRAIN_MS = 500;

/** One contender's relay stage: its server and load clients, held open across the rounds. */
interface RelayStage {
  contender: ContenderRun;
  server: Server;
  clients: Client[];
  cpu: number[];
  rates: number[];
  samples: number[];
}

/** What one relay round measured: server CPU per delivery, deliveries per second, and each delivery's latency. */
interface RelayRoundResult {
  cpu: number;
  rate: number;
  samples: number[];
}

/** One relay round: the senders offer `messagesPerSecond` for `durationMs`, the server relays each to the room. */
async function relayRound(stage: RelayStage, roomSize: number, messagesPerSecond: number, durationMs: number): Promise<RelayRoundResult> {
  const { server, clients } = stage;
  const shares = sharesOf(roomSize);
  clients.forEach((client) => client.send({ type: 'reset', expect: Number.MAX_SAFE_INTEGER }));
  await Promise.all(clients.map((client) => client.next('reset-done')));
  await startCpuWindow(server);
  const relayed = Promise.all(clients.map((client) => client.next('relayed')));
  clients.forEach((client, i) =>
    client.send({
      type: 'relay',
      senders: Math.ceil(shares[i]! * RELAY_SENDER_SHARE),
      messagesPerSecond: (messagesPerSecond * shares[i]!) / roomSize,
      durationMs,
    }),
  );
  await relayed;
  await new Promise((resolve) => setTimeout(resolve, RELAY_DRAIN_MS));
  server.send({ type: 'cpu-stop' });
  const { microseconds } = await server.next('cpu');
  clients.forEach((client) => client.send({ type: 'report-latency' }));
  const samples = (await Promise.all(clients.map((client) => client.next('latency')))).flatMap((report) => report.samples);
  return { cpu: microseconds / samples.length, rate: samples.length / (durationMs / 1000), samples };
}

/**
 * Chat relay, every contender side by side: a room of `roomSize` where a
 * tenth of the members send chat messages (taking turns, `messagesPerSecond`
 * in all) and the server relays each to the whole room, sender included.
 * Server CPU per delivery, deliveries per second, and send-to-receive
 * latency over every delivery of every measured round. The first
 * `warmUpRounds` rounds run the same way unmeasured, so the figures are
 * steady state, not JIT warm-up.
 */
export async function measureRelay(
  contenders: readonly ContenderRun[],
  scenario: string,
  roomSize: number,
  messagesPerSecond: number,
  durationMs: number,
  rounds: number,
  warmUpRounds: number,
): Promise<ResultRow[]> {
  const stages: RelayStage[] = [];
  try {
    for (const contender of contenders) {
      const { server, port } = await startServer(contender);
      const stage: RelayStage = { contender, server, clients: [], cpu: [], rates: [], samples: [] };
      stages.push(stage);
      stage.clients = await startClients(contender, port, roomSize, 'relay');
    }
    for (let round = -warmUpRounds; round < rounds; round += 1) {
      for (const stage of stages) {
        const { cpu, rate, samples } = await relayRound(stage, roomSize, messagesPerSecond, durationMs);
        if (round < 0) continue;
        stage.cpu.push(cpu);
        stage.rates.push(rate);
        for (const sample of samples) stage.samples.push(sample);
      }
    }
  } finally {
    for (const stage of stages) await stopAll(stage.server, stage.clients);
  }
  return stages.map(({ contender, cpu, rates, samples }) => ({
    scenario,
    contender,
    roomSize,
    rounds,
    offeredMessagesPerSec: messagesPerSecond,
    deliveriesPerSec: median(rates),
    serverCpuUsPerDelivery: median(cpu),
    latencyP50Ms: percentile(samples, 50),
    latencyP99Ms: percentile(samples, 99),
    latencyP999Ms: percentile(samples, 99.9),
  }));
}
