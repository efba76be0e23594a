/**
 * `pnpm bench`: every scenario side by side with raw `ws` and Socket.IO, on
 * loopback, server and load clients in separate processes, several rounds
 * each. Prints the table and writes bench/results/latest.{json,md,svg}.
 *
 * BENCH_QUICK=1 runs one round with fewer messages (a smoke run, not a measurement).
 * BENCH_ONLY=broadcast,curve,relay,setup,handshake,memory,latency runs only the listed groups;
 * memory-at-scale (19,000 idle connections, Sealed and raw ws) runs only when named.
 * BENCH_CONTENDERS=sealed-encrypted,... runs only the listed contenders.
 * BENCH_CPU_PROF=1 writes a V8 CPU profile of each server to bench/results/profiles/.
 * BENCH_PERF=1 writes a Linux `perf record` (call graphs, JS frames named) of each measured window of each server there.
 * BENCH_HEAP_SNAPSHOT=1 writes a V8 heap snapshot of each server holding its idle connections (group memory) to bench/results/profiles/.
 * BENCH_NODE_FLAGS='--flag ...' passes Node flags to every server and client process.
 * BENCH_WRITE_COALESCING=tick runs the Sealed servers with `writeCoalescing: 'tick'`.
 * BENCH_WRITE_DELAY_MS=20 sets the write delay of `sealed-plain-write-delay` (the chat relay's batching contender).
 * BENCH_BASELINE=/path/to/checkout also runs every selected Sealed contender's server on that checkout's build
 * (its packages built), as `<contender>@baseline`, interleaved with the others: an A/B of two builds in one run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BASELINE_SUFFIX, BENCH_WRITE_DELAY_MS, BURST, Contender, ONE_PER_TURN, parseContenderRun, type ContenderRun } from './lib/bench-protocol.ts';
import { broadcastChart, markdownReport, roomSizeCurveChart, type TargetCheck } from './lib/report.ts';
import { measureBroadcast, measureLatency, measureMemory, measureRelay, measureSetup, type ResultRow } from './lib/scenarios.ts';
import { measureHandshakeCost } from './lib/handshake-cost.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const GROUPS = new Set((process.env.BENCH_ONLY ?? 'broadcast,curve,relay,setup,handshake,memory,latency').split(','));
const ROUNDS = QUICK ? 1 : 3;
/** Set-up rounds are short and the busiest on two cores: more of them for a steadier median. */
const SETUP_ROUNDS = QUICK ? 1 : 5;
/** Unmeasured broadcast and relay rounds on each fresh server before the measured ones. */
const WARM_UP_ROUNDS = QUICK ? 0 : 1;
const ROOM_SIZES = [100, 1000];
/** The room-size curve: broadcast from a room of 10 to one of 10,000 (500 connections per load process, so 20 of them). */
const CURVE_ROOM_SIZES = QUICK ? [10, 100, 1000] : [10, 100, 1000, 10_000];
/** Deliveries per curve round: the number of messages scales down as the room grows... */
const CURVE_DELIVERIES_PER_ROUND = QUICK ? 20_000 : 200_000;
/** ...up to the most one socket takes in a round without passing the server's `maxBufferedBytes` (as the broadcast's room of 100). */
const CURVE_MAX_MESSAGES_PER_ROUND = QUICK ? 100 : 2_000;
/** Messages per round, so each round moves about 100-200k deliveries. */
const MESSAGES_PER_ROUND: Record<number, number> = QUICK ? { 100: 100, 1000: 20 } : { 100: 2000, 1000: 400 };
const SETUP_CONNECTIONS = QUICK ? 100 : 1000;
const SETUP_WARM_UP_CONNECTIONS = QUICK ? 50 : 300;
const IDLE_CONNECTIONS = QUICK ? 200 : 2000;
/** Idle connections each memory round's server holds and lets go before it is measured (a tenth of the 2,000; the same at scale), so one-time costs are not counted per connection. */
const MEMORY_WARM_UP_CONNECTIONS = QUICK ? 20 : 200;
/**
 * Memory at scale: idle connections to one server process. 19,000, not 20,000: a process here may
 * hold at most 20,000 file descriptors (`ulimit -Hn`, which root cannot raise in this sandbox).
 */
const IDLE_CONNECTIONS_AT_SCALE = QUICK ? 1000 : 19_000;
/** Handshakes per round of the crypto-only measurement (each a full one, then a resumption from its ticket). */
const HANDSHAKES_PER_ROUND = QUICK ? 20 : 200;
const LATENCY_ROOM = 100;
const LATENCY_MESSAGES_PER_SECOND = 100;
const LATENCY_DURATION_MS = QUICK ? 1000 : 3000;
/** Chat relay: the offered loads, as deliveries per second across the room (messages per second times the room size). */
const RELAY_LOADS = [
  { scenario: 'chat relay, moderate load', deliveriesPerSec: 15_000 },
  { scenario: 'chat relay, saturating load', deliveriesPerSec: 150_000 },
] as const;
const RELAY_DURATION_MS = QUICK ? 1000 : 3000;
const RESULTS_DIRECTORY = fileURLToPath(new URL('./results/', import.meta.url));

/** Every Sealed contender's name starts with this. */
const SEALED_CONTENDER_PREFIX = 'sealed-';
const SELECTED = process.env.BENCH_CONTENDERS ? new Set(process.env.BENCH_CONTENDERS.split(',')) : undefined;
/** With BENCH_BASELINE, every Sealed contender runs a second time on that checkout's build, beside the first in every round. */
const BASELINE = process.env.BENCH_BASELINE;
const selected = (contenders: Contender[]): Contender[] => contenders.filter((contender) => !SELECTED || SELECTED.has(contender));
/** Whether the contender's server is Sealed's, and so has a baseline build to run beside it. */
const isSealed = (contender: Contender): boolean => contender.startsWith(SEALED_CONTENDER_PREFIX);
/** The runs of a scenario's contenders: with BENCH_BASELINE, each Sealed one twice, on this build and on the baseline's. */
const runs = (contenders: readonly Contender[]): ContenderRun[] =>
  contenders.flatMap((contender): ContenderRun[] => (BASELINE && isSealed(contender) ? [contender, `${contender}${BASELINE_SUFFIX}`] : [contender]));
const PLAINTEXT = selected([Contender.SEALED_PLAIN, Contender.RAW_WS_STRINGIFY, Contender.RAW_WS_ONCE, Contender.RAW_WS_FRAMED_ONCE, Contender.SOCKET_IO, Contender.UWS]);
/** What a chat server does, one send per inbound message: the whole stacks, Node's floor for one write per socket, and the native anchor. */
const ONE_PER_TURN_PLAINTEXT = selected([Contender.SEALED_PLAIN, Contender.RAW_WS_ONCE, Contender.RAW_WS_FRAMED_ONCE, Contender.SOCKET_IO, Contender.UWS]);
const ENCRYPTED = selected([Contender.SEALED_ENCRYPTED, Contender.RAW_WS_NAIVE_GCM]);
const WHOLE_STACKS = selected([Contender.SEALED_PLAIN, Contender.SEALED_ENCRYPTED, Contender.RAW_WS_ONCE, Contender.SOCKET_IO, Contender.UWS]);
/** Memory at scale: Sealed both ways beside the raw `ws` loop the targets compare with. */
const MEMORY_AT_SCALE_STACKS = selected([Contender.SEALED_PLAIN, Contender.SEALED_ENCRYPTED, Contender.RAW_WS_ONCE]);
/** The room-size curve: Sealed plaintext beside Node's floor and the native anchor. */
const CURVE_STACKS = selected([Contender.SEALED_PLAIN, Contender.RAW_WS_FRAMED_ONCE, Contender.UWS]);
/** The chat relay: the whole stacks, and Sealed with opt-in write batching (`writeDelayMs`). */
const RELAY_STACKS = selected([...WHOLE_STACKS, Contender.SEALED_PLAIN_WRITE_DELAY]);
/** Set-up: the whole stacks, and raw encrypted clients that come back with their ticket or without it. */
const SETUP_STACKS = selected([...WHOLE_STACKS, Contender.SEALED_FULL_RAW, Contender.SEALED_RESUMED]);
/** Room broadcast with every room keeping history, beside the same servers without it. */
const HISTORY = selected([Contender.SEALED_PLAIN_HISTORY, Contender.SEALED_ENCRYPTED_HISTORY]);

/** The broadcast scenarios, by the name their rows carry. */
const Scenario = {
  PLAIN: 'plaintext room broadcast',
  PLAIN_ONE_PER_TURN: 'plaintext room broadcast, one per turn',
  ENCRYPTED: 'encrypted room broadcast',
  ENCRYPTED_ONE_PER_TURN: 'encrypted room broadcast, one per turn',
  CURVE: 'room-size curve, plaintext broadcast',
} as const;

/** The commit a checkout is at, for the record of what a baseline run measured (its build is assumed to be of it). */
function commitOf(checkout: string): string {
  try {
    return execFileSync('git', ['-C', checkout, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'an unknown commit';
  }
}

function log(row: ResultRow): ResultRow {
  process.stdout.write(`${JSON.stringify(row)}\n`);
  return row;
}

async function main(): Promise<void> {
  const rows: ResultRow[] = [];
  for (const roomSize of GROUPS.has('broadcast') ? ROOM_SIZES : []) {
    const entries = [
      ...runs(PLAINTEXT).map((contender) => ({ scenario: Scenario.PLAIN, contender, perTurn: BURST })),
      ...runs(ONE_PER_TURN_PLAINTEXT).map((contender) => ({ scenario: Scenario.PLAIN_ONE_PER_TURN, contender, perTurn: ONE_PER_TURN })),
      ...runs(ENCRYPTED).map((contender) => ({ scenario: Scenario.ENCRYPTED, contender, perTurn: BURST })),
      ...runs(selected([Contender.SEALED_ENCRYPTED])).map((contender) => ({ scenario: Scenario.ENCRYPTED_ONE_PER_TURN, contender, perTurn: ONE_PER_TURN })),
      ...runs(HISTORY).map((contender) => ({
        scenario: parseContenderRun(contender).contender === Contender.SEALED_PLAIN_HISTORY ? Scenario.PLAIN : Scenario.ENCRYPTED,
        contender,
        perTurn: BURST,
      })),
    ];
    const measured = await measureBroadcast(entries, roomSize, MESSAGES_PER_ROUND[roomSize]!, ROUNDS, WARM_UP_ROUNDS);
    rows.push(...measured.map(log));
  }
  for (const roomSize of GROUPS.has('curve') ? CURVE_ROOM_SIZES : []) {
    const entries = runs(CURVE_STACKS).map((contender) => ({ scenario: Scenario.CURVE, contender, perTurn: BURST }));
    const messages = Math.min(CURVE_MAX_MESSAGES_PER_ROUND, Math.max(BURST, Math.round(CURVE_DELIVERIES_PER_ROUND / roomSize)));
    rows.push(...(await measureBroadcast(entries, roomSize, messages, ROUNDS, WARM_UP_ROUNDS)).map(log));
  }
  for (const roomSize of GROUPS.has('relay') ? ROOM_SIZES : []) {
    for (const load of RELAY_LOADS) {
      const measured = await measureRelay(runs(RELAY_STACKS), load.scenario, roomSize, load.deliveriesPerSec / roomSize, RELAY_DURATION_MS, ROUNDS, WARM_UP_ROUNDS);
      rows.push(...measured.map(log));
    }
  }
  if (GROUPS.has('setup')) {
    rows.push(...(await measureSetup(runs(SETUP_STACKS), SETUP_CONNECTIONS, SETUP_WARM_UP_CONNECTIONS, SETUP_ROUNDS)).map(log));
  }
  if (GROUPS.has('handshake')) rows.push(...(await measureHandshakeCost(HANDSHAKES_PER_ROUND, ROUNDS)).map(log));
  for (const contender of GROUPS.has('memory') ? runs(WHOLE_STACKS) : []) {
    rows.push(log(await measureMemory(contender, IDLE_CONNECTIONS, MEMORY_WARM_UP_CONNECTIONS, ROUNDS)));
  }
  // One round each: a round connects and tears down tens of thousands of sockets.
  for (const contender of GROUPS.has('memory-at-scale') ? runs(MEMORY_AT_SCALE_STACKS) : []) {
    rows.push(log(await measureMemory(contender, IDLE_CONNECTIONS_AT_SCALE, MEMORY_WARM_UP_CONNECTIONS, 1)));
  }
  for (const contender of GROUPS.has('latency') ? runs(WHOLE_STACKS) : []) {
    rows.push(log(await measureLatency(contender, LATENCY_ROOM, LATENCY_MESSAGES_PER_SECOND, LATENCY_DURATION_MS)));
  }

  const targets = checkTargets(rows);
  const baseline = BASELINE ? `; \`${BASELINE_SUFFIX}\` rows: ${BASELINE} at ${commitOf(BASELINE)}` : '';
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}${baseline}${QUICK ? ' (BENCH_QUICK: smoke run, not a measurement)' : ''}`;
  const markdown = markdownReport(rows, targets, machine);
  mkdirSync(RESULTS_DIRECTORY, { recursive: true });
  const broadcastRows = rows
    .filter((row) => row.deliveriesPerSec !== undefined && row.offeredMessagesPerSec === undefined)
    .map(({ scenario, contender, roomSize, deliveriesPerSec, serverCpuUsPerDelivery, serverUserCpuUsPerDelivery, rounds }) => ({
      scenario,
      contender,
      roomSize,
      deliveriesPerSec,
      serverCpuUsPerDelivery,
      serverUserCpuUsPerDelivery,
      rounds,
    }));
  writeFileSync(`${RESULTS_DIRECTORY}latest.json`, `${JSON.stringify(broadcastRows, null, 2)}\n`);
  writeFileSync(`${RESULTS_DIRECTORY}latest-all.json`, `${JSON.stringify({ machine, rows, targets }, null, 2)}\n`);
  writeFileSync(`${RESULTS_DIRECTORY}latest.md`, markdown);
  writeFileSync(`${RESULTS_DIRECTORY}broadcast.svg`, broadcastChart(rows.filter((row) => row.scenario !== Scenario.CURVE)));
  const curveRows = rows.filter((row) => row.scenario === Scenario.CURVE);
  if (curveRows.length > 0) writeFileSync(`${RESULTS_DIRECTORY}room-size-curve.svg`, roomSizeCurveChart(curveRows));
  process.stdout.write(`\n${markdown}`);
}

function find(rows: readonly ResultRow[], contender: Contender, roomSize: number, scenario: string): ResultRow | undefined {
  return rows.find((row) => row.contender === contender && row.roomSize === roomSize && row.scenario === scenario);
}

/** A target met when `ratio` is at most `bound`. */
function atMost(target: string, ratio: number, bound: number): TargetCheck {
  return { target, ratio, bound: `<= ${bound}`, met: ratio <= bound };
}

/** A target met when `ratio` is below `bound`. */
function below(target: string, ratio: number, bound: number): TargetCheck {
  return { target, ratio, bound: `< ${bound}`, met: ratio < bound };
}

/** A target met when `ratio` is at least `bound`. */
function atLeast(target: string, ratio: number, bound: number): TargetCheck {
  return { target, ratio, bound: `>= ${bound}`, met: ratio >= bound };
}

/**
 * The checks of Sealed plaintext and encrypted against raw `ws`, each with
 * its bound: `check` is given each Sealed row and raw `ws`'s, as `rowOf`
 * finds them; nothing when a row is missing.
 */
function againstRawWs(
  rowOf: (contender: Contender) => ResultRow | undefined,
  bounds: { plaintext: number; encrypted: number },
  check: (kind: 'plaintext' | 'encrypted', row: ResultRow, raw: ResultRow, bound: number) => TargetCheck[],
): TargetCheck[] {
  const raw = rowOf(Contender.RAW_WS_ONCE);
  if (!raw) return [];
  return (
    [
      [Contender.SEALED_PLAIN, 'plaintext'],
      [Contender.SEALED_ENCRYPTED, 'encrypted'],
    ] as const
  ).flatMap(([contender, kind]) => {
    const row = rowOf(contender);
    return row ? check(kind, row, raw, bounds[kind]) : [];
  });
}

/** The targets, as ratios taken in this run. */
function checkTargets(rows: readonly ResultRow[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const largest = Math.max(...ROOM_SIZES);
  for (const roomSize of ROOM_SIZES) {
    const plain = find(rows, Contender.SEALED_PLAIN, roomSize, Scenario.PLAIN);
    const socketIo = find(rows, Contender.SOCKET_IO, roomSize, Scenario.PLAIN);
    const rawOnce = find(rows, Contender.RAW_WS_ONCE, roomSize, Scenario.PLAIN);
    const encrypted = find(rows, Contender.SEALED_ENCRYPTED, roomSize, Scenario.ENCRYPTED);
    const naive = find(rows, Contender.RAW_WS_NAIVE_GCM, roomSize, Scenario.ENCRYPTED);
    for (const [scenario, bound] of [
      [Scenario.PLAIN, 1.3],
      [Scenario.PLAIN_ONE_PER_TURN, 1.2],
    ] as const) {
      const sealed = find(rows, Contender.SEALED_PLAIN, roomSize, scenario);
      const uws = find(rows, Contender.UWS, roomSize, scenario);
      if (!sealed || !uws) continue;
      const ratio = sealed.serverCpuUsPerDelivery! / uws.serverCpuUsPerDelivery!;
      checks.push(atMost(`${scenario}: plaintext CPU/delivery vs uWebSockets.js, room ${roomSize}`, ratio, bound));
    }
    const encryptedOne = find(rows, Contender.SEALED_ENCRYPTED, roomSize, Scenario.ENCRYPTED_ONE_PER_TURN);
    const socketIoOne = find(rows, Contender.SOCKET_IO, roomSize, Scenario.PLAIN_ONE_PER_TURN);
    if (encryptedOne && socketIoOne) {
      const ratio = encryptedOne.serverCpuUsPerDelivery! / socketIoOne.serverCpuUsPerDelivery!;
      checks.push(below(`one per turn: encrypted CPU/delivery vs Socket.IO plaintext, room ${roomSize}`, ratio, 1));
    }
    if (plain && socketIo) {
      const ratio = plain.serverCpuUsPerDelivery! / socketIo.serverCpuUsPerDelivery!;
      checks.push(atMost(`plaintext CPU/delivery vs Socket.IO, room ${roomSize}`, ratio, 0.5));
    }
    if (plain && rawOnce) {
      const ratio = plain.serverCpuUsPerDelivery! / rawOnce.serverCpuUsPerDelivery!;
      checks.push(atMost(`plaintext CPU/delivery vs raw ws serialize-once, room ${roomSize}`, ratio, 1));
    }
    if (encrypted && plain) {
      const ratio = encrypted.deliveriesPerSec! / plain.deliveriesPerSec!;
      checks.push(atLeast(`encrypted vs plaintext deliveries/s, room ${roomSize}`, ratio, 0.5));
    }
    for (const [withHistory, without, kind] of [
      [find(rows, Contender.SEALED_PLAIN_HISTORY, roomSize, Scenario.PLAIN), plain, 'plaintext'],
      [find(rows, Contender.SEALED_ENCRYPTED_HISTORY, roomSize, Scenario.ENCRYPTED), encrypted, 'encrypted'],
    ] as const) {
      if (!withHistory || !without) continue;
      const ratio = withHistory.serverCpuUsPerDelivery! / without.serverCpuUsPerDelivery!;
      checks.push(atMost(`${kind} CPU/delivery with room history (in memory) vs without, room ${roomSize}`, ratio, 1.2));
    }
    if (encrypted && naive && roomSize === largest) {
      const ratio = encrypted.deliveriesPerSec! / naive.deliveriesPerSec!;
      checks.push(atLeast(`encrypted vs naive GCM+base64 deliveries/s, room ${roomSize}`, ratio, 2));
    }
  }
  checks.push(...relayTargets(rows));
  const curveSmall = find(rows, Contender.SEALED_PLAIN, 100, Scenario.CURVE);
  const curveLarge = find(rows, Contender.SEALED_PLAIN, Math.max(...CURVE_ROOM_SIZES), Scenario.CURVE);
  if (curveSmall && curveLarge) {
    const ratio = curveLarge.serverCpuUsPerDelivery! / curveSmall.serverCpuUsPerDelivery!;
    checks.push(atMost(`room-size curve: plaintext CPU/delivery, room ${curveLarge.roomSize} vs room 100`, ratio, 1.3));
  }
  for (const connections of [IDLE_CONNECTIONS, IDLE_CONNECTIONS_AT_SCALE]) {
    const memoryOf = (contender: Contender): ResultRow | undefined =>
      rows.find((row) => row.contender === contender && row.rssKiBPerConnection !== undefined && row.roomSize === connections);
    // RSS counts what lives outside the JS heap too, but moves by whole pages the heap reserves ahead; the heap after GC is steady from run to run.
    checks.push(
      ...againstRawWs(memoryOf, { plaintext: 1.3, encrypted: 1.8 }, (kind, memory, raw, bound) => [
        atMost(`RSS per idle ${kind} connection vs raw ws, ${connections} connections`, memory.rssKiBPerConnection! / raw.rssKiBPerConnection!, bound),
        atMost(`JS heap per idle ${kind} connection vs raw ws, ${connections} connections`, memory.heapKiBPerConnection! / raw.heapKiBPerConnection!, bound),
      ]),
    );
  }
  const setupOf = (contender: Contender): ResultRow | undefined => rows.find((row) => row.contender === contender && row.setupsPerSec !== undefined);
  checks.push(
    ...againstRawWs(setupOf, { plaintext: 1.3, encrypted: 2.5 }, (kind, setup, raw, bound) => [
      atMost(`server CPU per ${kind} set-up vs a raw ws connect`, setup.serverCpuUsPerSetup! / raw.serverCpuUsPerSetup!, bound),
    ]),
  );
  const resumedSetup = setupOf(Contender.SEALED_RESUMED);
  const fullRawSetup = setupOf(Contender.SEALED_FULL_RAW);
  if (fullRawSetup && resumedSetup) {
    const ratio = resumedSetup.serverCpuUsPerSetup! / fullRawSetup.serverCpuUsPerSetup!;
    checks.push(atMost('server CPU per resumed set-up vs full encrypted set-up (same raw clients)', ratio, 0.5));
  }
  return checks;
}

/** The chat relay's targets: Sealed against uWebSockets.js at moderate load, encryption against plaintext. */
function relayTargets(rows: readonly ResultRow[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const moderate = RELAY_LOADS[0].scenario;
  for (const roomSize of ROOM_SIZES) {
    const plain = find(rows, Contender.SEALED_PLAIN, roomSize, moderate);
    const delayed = find(rows, Contender.SEALED_PLAIN_WRITE_DELAY, roomSize, moderate);
    const encrypted = find(rows, Contender.SEALED_ENCRYPTED, roomSize, moderate);
    const uws = find(rows, Contender.UWS, roomSize, moderate);
    const socketIo = find(rows, Contender.SOCKET_IO, roomSize, moderate);
    if (plain && uws) {
      const ratio = plain.serverCpuUsPerDelivery! / uws.serverCpuUsPerDelivery!;
      checks.push(atMost(`chat relay, moderate: plaintext CPU/delivery vs uWebSockets.js, room ${roomSize}`, ratio, 1.5));
      const extraMs = plain.latencyP99Ms! - uws.latencyP99Ms!;
      checks.push(atMost(`chat relay, moderate: plaintext p99 latency minus uWebSockets.js p99 (ms), room ${roomSize}`, extraMs, 2));
    }
    if (delayed && uws) {
      const ratio = delayed.serverCpuUsPerDelivery! / uws.serverCpuUsPerDelivery!;
      const target = `chat relay, moderate: plaintext with writeDelayMs ${BENCH_WRITE_DELAY_MS} CPU/delivery vs uWebSockets.js, room ${roomSize}`;
      checks.push(atMost(target, ratio, 1.0));
    }
    if (encrypted && plain) {
      const ratio = encrypted.serverCpuUsPerDelivery! / plain.serverCpuUsPerDelivery!;
      checks.push(atMost(`chat relay, moderate: encrypted vs plaintext CPU/delivery, room ${roomSize}`, ratio, 2));
    }
    if (encrypted && socketIo) {
      const ratio = encrypted.serverCpuUsPerDelivery! / socketIo.serverCpuUsPerDelivery!;
      checks.push(below(`chat relay, moderate: encrypted CPU/delivery vs Socket.IO plaintext, room ${roomSize}`, ratio, 1));
    }
  }
  return checks;
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
