/**
 * What the benchmark processes say to each other over Node IPC, and the
 * shared constants of the scenarios.
 */

/** The servers under test. */
export const Contender = {
  SEALED_PLAIN: 'sealed-plain',
  SEALED_ENCRYPTED: 'sealed-encrypted',
  RAW_WS_STRINGIFY: 'raw-ws-stringify-per-recipient',
  RAW_WS_ONCE: 'raw-ws-serialize-once',
  /**
   * Node's floor for one write per socket: `ws` for the upgrade, then one
   * frame built once per message and written to every member's TCP socket
   * with `socket.write`, nothing else per recipient.
   */
  RAW_WS_FRAMED_ONCE: 'raw-ws-framed-once',
  RAW_WS_NAIVE_GCM: 'raw-ws-naive-gcm-base64',
  SOCKET_IO: 'socket.io',
  /** uWebSockets.js (native): one topic for the room, `app.publish` to it. */
  UWS: 'uwebsockets.js',
  /** The encrypted server; its load clients come back with a ticket from an earlier connection. */
  SEALED_RESUMED: 'sealed-resumed',
  /** The same server and the same raw load clients as `sealed-resumed`, coming back without presenting their ticket: the full handshake to compare it with. */
  SEALED_FULL_RAW: 'sealed-full-raw-client',
  /** The plaintext server with every room keeping history (in-memory store). */
  SEALED_PLAIN_HISTORY: 'sealed-plain-history',
  /** The encrypted server with every room keeping history (in-memory store). */
  SEALED_ENCRYPTED_HISTORY: 'sealed-encrypted-history',
  /** The plaintext server with opt-in write batching: `writeDelayMs` of {@link BENCH_WRITE_DELAY_MS}. */
  SEALED_PLAIN_WRITE_DELAY: 'sealed-plain-write-delay',
} as const;

/** The write delay of `sealed-plain-write-delay`, in milliseconds (BENCH_WRITE_DELAY_MS overrides it). */
export const BENCH_WRITE_DELAY_MS = Number(process.env.BENCH_WRITE_DELAY_MS ?? 20);

export type Contender = (typeof Contender)[keyof typeof Contender];

/**
 * The suffix of a Sealed contender run on the build of another checkout
 * (`BENCH_BASELINE`): `sealed-plain@baseline` is the same server and load
 * clients, with the server's `@sealed/helpers` taken from there.
 */
export const BASELINE_SUFFIX = '@baseline';

/** A contender as the orchestrator runs it: by its name, or on the baseline build. */
export type ContenderRun = Contender | `${Contender}${typeof BASELINE_SUFFIX}`;

/** The contender a run is of, and whether it runs on the baseline build. */
export function parseContenderRun(run: string): { contender: Contender; baseline: boolean } {
  const baseline = run.endsWith(BASELINE_SUFFIX);
  return { contender: (baseline ? run.slice(0, -BASELINE_SUFFIX.length) : run) as Contender, baseline };
}

/** The room every load client joins. */
export const BENCH_ROOM = 'bench';
/** The event every benchmark message carries. */
export const BENCH_EVENT = 'bench';
/** The event a chatting load client sends; the server relays each to the room as a BENCH_EVENT. */
export const CHAT_EVENT = 'chat';
/** Serialized size of one benchmark message, as the issue specifies. */
export const MESSAGE_BYTES = 256;
/** Messages the server sends per event-loop turn in the best case: the per-turn cork coalesces them into one write per socket. */
export const BURST = 20;
/** Messages per turn of what a chat server does: each inbound message triggers one send. */
export const ONE_PER_TURN = 1;

/** Orchestrator -> server. */
export type ServerCommand =
  | { type: 'cpu-start' }
  | { type: 'cpu-stop' }
  | { type: 'send'; messages: number; perTurn: number }
  | { type: 'send-at-rate'; messagesPerSecond: number; durationMs: number }
  | { type: 'memory' }
  /** Answered with `idle` once the server holds no connection. */
  | { type: 'await-idle' }
  | { type: 'stop' };

/** Server -> orchestrator. */
export type ServerReply =
  | { type: 'listening'; port: number }
  /** The CPU window is open: sent once its starting reading is taken, so no work of the window comes before it. */
  | { type: 'cpu-started' }
  /** Server CPU over the window, user and kernel time together, and the user-space part alone. */
  | { type: 'cpu'; microseconds: number; userMicroseconds: number }
  | { type: 'sent' }
  /** `youngGeneration`: bytes the young generation's spaces hold in memory (empty of objects after the collections a reading starts with). */
  | { type: 'memory'; rss: number; heapUsed: number; youngGeneration: number; connections: number }
  | { type: 'idle' }
  | { type: 'error'; message: string };

/**
 * What a load client does: `receive` and `latency` join the room and count
 * (or time) what arrives, `setup` connects and leaves, `idle` joins the room
 * and waits, `connected` waits outside any room, and `chat` joins the room
 * and sends one CHAT_EVENT every CHAT_INTERVAL_MS per connection, replacing
 * one of its connections every CHURN_INTERVAL_MS. `relay` joins the room,
 * times what arrives, and on `relay` has its first connections send
 * CHAT_EVENTs, which the server relays to the room.
 */
export type ClientMode = 'receive' | 'latency' | 'setup' | 'idle' | 'connected' | 'chat' | 'relay';

/** How often each `chat` connection sends. */
export const CHAT_INTERVAL_MS = 5_000;
/** How often a `chat` process closes one of its connections and opens another. */
export const CHURN_INTERVAL_MS = 200;

/** Orchestrator -> client. */
export type ClientCommand =
  | { type: 'reset'; expect: number }
  | { type: 'report-latency' }
  /** `setup` mode of a client that primes first: make the measured connections now. */
  | { type: 'go' }
  /** `relay` mode: the first `senders` connections send `messagesPerSecond` CHAT_EVENTs in all, taking turns, for `durationMs`. */
  | { type: 'relay'; senders: number; messagesPerSecond: number; durationMs: number }
  | { type: 'stop' };

/** Client -> orchestrator. */
export type ClientReply =
  | { type: 'ready'; connections: number }
  | { type: 'reset-done' }
  | { type: 'received'; count: number; at: number }
  | { type: 'latency'; samples: number[] }
  /** `relay` mode: the CHAT_EVENTs this process sent. */
  | { type: 'relayed'; sent: number }
  | { type: 'setup-done'; connections: number; elapsedMs: number }
  /** `setup` mode of `sealed-resumed`: every connection has run a full handshake, kept its ticket and closed. */
  | { type: 'primed'; connections: number }
  | { type: 'error'; message: string };

/** A message of about MESSAGE_BYTES when serialized as `{ event, data }`. */
export function benchPayload(sequence: number, sentAt: number): { seq: number; ts: number; pad: string } {
  const skeleton = JSON.stringify({ event: BENCH_EVENT, data: { seq: sequence, ts: sentAt, pad: '' } });
  return { seq: sequence, ts: sentAt, pad: 'x'.repeat(Math.max(0, MESSAGE_BYTES - skeleton.length)) };
}

/** Epoch time with sub-millisecond precision, comparable across processes on one machine. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}
