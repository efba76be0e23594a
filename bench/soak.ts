/**
 * `pnpm soak`: a bounded soak of one encrypted Sealed server on loopback.
 * Thousands of idle encrypted connections (outside any room) and hundreds of
 * active ones that chat in one room (each message relayed to every member,
 * encrypted per member) while connections are closed and replaced, for a
 * fixed time; the server's memory after garbage collection is sampled
 * throughout. Stops by itself, prints the samples and the growth between the
 * first sample after warm-up and the last, and writes bench/results/soak.json.
 *
 * SOAK_SECONDS (default 120), SOAK_IDLE (3000), SOAK_ACTIVE (300) change the run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  CHAT_INTERVAL_MS,
  CHURN_INTERVAL_MS,
  Contender,
  type ClientCommand,
  type ClientMode,
  type ClientReply,
  type ServerCommand,
  type ServerReply,
} from './lib/bench-protocol.ts';
import { ProcessHandle } from './lib/process-handle.ts';
import { percentile } from './lib/stats.ts';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 120);
const IDLE = Number(process.env.SOAK_IDLE ?? 3000);
const ACTIVE = Number(process.env.SOAK_ACTIVE ?? 300);
const CONTENDER = Contender.SEALED_ENCRYPTED;
/** Connections per load-client process. */
const PER_PROCESS = 500;
/** Connections opened at once per process. */
const CONCURRENCY = 50;
const SAMPLE_EVERY_MS = 10_000;
/** Samples before this much time are warm-up (JIT, first buffers, pools): growth is measured from the first one after it. */
const WARM_UP_MS = 20_000;
const MIB = 1024 * 1024;
const RESULTS_FILE = fileURLToPath(new URL('./results/soak.json', import.meta.url));

type Server = ProcessHandle<ServerCommand, ServerReply>;
type Client = ProcessHandle<ClientCommand, ClientReply>;

interface Sample {
  atSeconds: number;
  rssMiB: number;
  heapMiB: number;
  connections: number;
}

async function startClients(port: number, connections: number, mode: ClientMode): Promise<Client[]> {
  const clients: Client[] = [];
  for (let left = connections; left > 0; left -= PER_PROCESS) {
    const share = Math.min(PER_PROCESS, left);
    const client: Client = ProcessHandle.start('processes/load-client.ts', [CONTENDER, String(port), String(share), mode, String(CONCURRENCY)]);
    clients.push(client);
    // One process at a time: the server's two cores are shared with every process.
    await client.next('ready');
  }
  return clients;
}

async function sample(server: Server, startedAt: number): Promise<Sample> {
  server.send({ type: 'memory' });
  const memory = await server.next('memory');
  return {
    atSeconds: Math.round((Date.now() - startedAt) / 1000),
    rssMiB: round(memory.rss / MIB),
    heapMiB: round(memory.heapUsed / MIB),
    connections: memory.connections,
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

async function main(): Promise<void> {
  const server: Server = ProcessHandle.start('processes/bench-server.ts', [CONTENDER], true);
  const { port } = await server.next('listening');
  const clients: Client[] = [];
  try {
    server.send({ type: 'memory' });
    const empty = await server.next('memory');
    clients.push(...(await startClients(port, IDLE, 'connected')));
    const active = await startClients(port, ACTIVE, 'chat');
    clients.push(...active);
    const startedAt = Date.now();
    const samples: Sample[] = [await sample(server, startedAt)];
    process.stdout.write(`${JSON.stringify(samples[0])}\n`);
    while (Date.now() - startedAt < SECONDS * 1000) {
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
      const taken = await sample(server, startedAt);
      samples.push(taken);
      process.stdout.write(`${JSON.stringify(taken)}\n`);
    }
    active.forEach((client) => client.send({ type: 'report-latency' }));
    const latencies = (await Promise.all(active.map((client) => client.next('latency')))).flatMap((report) => report.samples);
    const baseline = samples.find((taken) => taken.atSeconds * 1000 >= WARM_UP_MS) ?? samples[0]!;
    const last = samples.at(-1)!;
    const result = {
      workload: {
        contender: CONTENDER,
        seconds: SECONDS,
        idleConnections: IDLE,
        activeConnections: ACTIVE,
        chatIntervalMs: CHAT_INTERVAL_MS,
        relayedMessagesPerSecond: round((ACTIVE * 1000) / CHAT_INTERVAL_MS),
        deliveriesPerSecond: round((ACTIVE * ACTIVE * 1000) / CHAT_INTERVAL_MS),
        connectionsReplacedPerSecond: round(((active.length * 1000) / CHURN_INTERVAL_MS)),
        cpus: cpus().length,
      },
      emptyServer: { rssMiB: round(empty.rss / MIB), heapMiB: round(empty.heapUsed / MIB) },
      samples,
      growthAfterWarmUp: {
        fromSeconds: baseline.atSeconds,
        toSeconds: last.atSeconds,
        rssMiB: round(last.rssMiB - baseline.rssMiB),
        heapMiB: round(last.heapMiB - baseline.heapMiB),
      },
      deliveries: latencies.length,
      latencyMs: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), p999: round(percentile(latencies, 99.9)) },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await Promise.all(clients.map((client) => client.stop()));
    await server.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
