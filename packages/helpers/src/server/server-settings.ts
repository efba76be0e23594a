import { BusDefaults } from '../bus/bus-defaults.ts';
import { SealedError } from '../protocol/sealed-error.ts';
import { UsageErrorCode } from '../protocol/usage-error-codes.ts';

/** Raised for options or arguments that can never work: a programming error (code `INVALID_OPTIONS`). */
export class InvalidOptionsError extends SealedError {
  constructor(message: string) {
    super(UsageErrorCode.INVALID_OPTIONS, message);
    this.name = 'InvalidOptionsError';
  }
}

/** What the server does with a client whose outbound buffer passed `maxBufferedBytes`. */
export const SlowConsumerPolicy = {
  /** Close the client with 4007 SLOW_CONSUMER. */
  CLOSE: 'close',
  /** Skip the message for that client and count the drop. */
  DROP: 'drop',
} as const;

export type SlowConsumerPolicy = (typeof SlowConsumerPolicy)[keyof typeof SlowConsumerPolicy];

/** When a socket's coalesced writes go out. */
export const WriteCoalescing = {
  /** When the code that wrote them has run (the next tick): the writes of one event-loop turn share a system call. */
  TICK: 'tick',
  /** When the event loop's poll phase ends (`setImmediate`): the writes of every frame read in one loop iteration share one. */
  ITERATION: 'iteration',
} as const;

export type WriteCoalescing = (typeof WriteCoalescing)[keyof typeof WriteCoalescing];

/** A token bucket: a steady rate with room for bursts. */
export interface RateLimitOptions {
  /** Frames per second a client may send on average. */
  messagesPerSecond: number;
  /** Frames a client may send at once after being quiet. */
  burst: number;
}

/** Checks one setting's value; throws {@link InvalidOptionsError} when it can never work. */
export type SettingRule<T> = (name: string, value: T) => void;

/** One setting of the table: the name of its default in `WebSocketDefaults`, the default, and its rule. */
export interface SettingSpec<Constant extends string, T> {
  readonly constant: Constant;
  readonly value: T;
  readonly rule: SettingRule<T> | undefined;
}

/** The type a setting's literal default stands for: `5000` is a `number`, `'/ws'` a `string`. */
type Widened<T> = T extends number ? number : T extends string ? string : T extends boolean ? boolean : T;

function setting<const Constant extends string, T>(
  constant: Constant,
  value: T,
  rule?: SettingRule<Widened<T>>,
): SettingSpec<Constant, Widened<T>> {
  return Object.freeze({ constant, value: value as Widened<T>, rule });
}

/** A setting whose values are the members of a union, kept as that union. */
function choice<Constant extends string, T extends string>(constant: Constant, value: T, rule: SettingRule<T>): SettingSpec<Constant, T> {
  return Object.freeze({ constant, value, rule });
}

/** The rules settings use, named so tests and docs can tell which applies. */
export const SettingRules = Object.freeze({
  positiveInteger: ((name, value) => {
    if (!Number.isInteger(value) || value <= 0) {
      throw new InvalidOptionsError(`Option "${name}" must be a positive integer, got ${String(value)}`);
    }
  }) as SettingRule<number>,
  nonNegativeInteger: ((name, value) => {
    if (!Number.isInteger(value) || value < 0) {
      throw new InvalidOptionsError(`Option "${name}" must be a non-negative integer, got ${String(value)}`);
    }
  }) as SettingRule<number>,
  absolutePath: ((name, value) => {
    if (typeof value !== 'string' || !value.startsWith('/')) throw new InvalidOptionsError(`Option "${name}" must start with "/"`);
  }) as SettingRule<string>,
  writeCoalescing: ((name, value) => {
    if (!Object.values(WriteCoalescing).includes(value)) {
      throw new InvalidOptionsError(`Option "${name}" must be one of ${Object.values(WriteCoalescing).join(', ')}`);
    }
  }) as SettingRule<WriteCoalescing>,
  slowConsumerPolicy: ((name, value) => {
    if (!Object.values(SlowConsumerPolicy).includes(value)) {
      throw new InvalidOptionsError(`Option "${name}" must be one of ${Object.values(SlowConsumerPolicy).join(', ')}`);
    }
  }) as SettingRule<SlowConsumerPolicy>,
  rateLimit: ((name, value) => {
    if (!(value?.messagesPerSecond > 0) || !(value.burst >= 1)) {
      throw new InvalidOptionsError(`Option "${name}" needs messagesPerSecond > 0 and burst >= 1`);
    }
  }) as SettingRule<RateLimitOptions>,
  stringList: ((name, value) => {
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw new InvalidOptionsError(`Option "${name}" must be an array of strings`);
    }
  }) as SettingRule<readonly string[]>,
  pattern: ((name, value) => {
    if (!(value instanceof RegExp)) throw new InvalidOptionsError(`Option "${name}" must be a RegExp`);
  }) as SettingRule<RegExp>,
});

const { positiveInteger } = SettingRules;

/**
 * Every server setting that has a default, in one table: the options type,
 * `WebSocketDefaults`, validation and the docs check (`docs/options.md`)
 * are all read from it. Times are in milliseconds, sizes in bytes.
 */
export const SERVER_SETTINGS = Object.freeze({
  /** Names this server in logs and, later, on the bus. */
  identifier: setting('IDENTIFIER', 'sealed-websocket'),
  /** URL path that accepts WebSocket upgrades. */
  path: setting('PATH', '/ws', SettingRules.absolutePath),
  /** Rooms every client joins as soon as it is open (exempt from `validateRoomFn`). */
  defaultRooms: setting('DEFAULT_ROOMS', Object.freeze([]) as readonly string[]),
  /** Addresses of the proxies in front of the server whose `X-Forwarded-For` is believed; the client address then comes from it (for the per-address limits and `remoteAddress`). */
  trustedProxies: setting('TRUSTED_PROXIES', Object.freeze([]) as readonly string[], SettingRules.stringList),
  /** Milliseconds from upgrade until the client must be authenticated; then close 4001. */
  authTimeout: setting('AUTH_TIMEOUT_MS', 5_000, positiveInteger),
  /** Milliseconds between liveness sweeps; each sweep also pings every open socket. */
  heartbeatInterval: setting('HEARTBEAT_INTERVAL_MS', 30_000, positiveInteger),
  /** Milliseconds of silence (no frame, no pong) after which a client is closed with 4002. */
  heartbeatTimeout: setting('HEARTBEAT_TIMEOUT_MS', 90_000, positiveInteger),
  /** Most sockets at once, counting upgrades still in progress; beyond it, HTTP 503 before upgrading. */
  maxConnections: setting('MAX_CONNECTIONS', 10_000, positiveInteger),
  /** Most sockets not yet authenticated (upgrades in progress included), within `maxConnections`; beyond it, HTTP 503 before upgrading. */
  maxUnauthenticatedConnections: setting('MAX_UNAUTHENTICATED_CONNECTIONS', 1_000, positiveInteger),
  /** Most sockets not yet authenticated from one remote address; beyond it, HTTP 429 before upgrading. */
  maxUnauthenticatedPerAddress: setting('MAX_UNAUTHENTICATED_PER_ADDRESS', 100, positiveInteger),
  /** Upgrades per second one remote address may start on average; beyond it, HTTP 429 before upgrading. */
  upgradesPerSecondPerAddress: setting('UPGRADES_PER_SECOND_PER_ADDRESS', 50, positiveInteger),
  /** Upgrades one remote address may start at once after being quiet. */
  upgradeBurstPerAddress: setting('UPGRADE_BURST_PER_ADDRESS', 200, positiveInteger),
  /** Most remote addresses whose upgrade rate is tracked at once; past it the least recently seen is forgotten. */
  maxTrackedAddresses: setting('MAX_TRACKED_ADDRESSES', 10_000, positiveInteger),
  /** Milliseconds a new connection to the HTTP server has to deliver its first request's headers (a WebSocket upgrade or any other request); then it is destroyed. */
  requestHeadersTimeoutMs: setting('REQUEST_HEADERS_TIMEOUT_MS', 10_000, positiveInteger),
  /** Most connections from one remote address that have not delivered their first request's headers; more are destroyed on arrival. Trusted proxies are exempt. */
  maxIncompleteRequestsPerAddress: setting('MAX_INCOMPLETE_REQUESTS_PER_ADDRESS', 100, positiveInteger),
  /** Milliseconds a refused or timed-out client that never opened gets to finish the closing handshake before its socket is cut off, so its slot is free again. */
  preAuthCloseGraceMs: setting('PRE_AUTH_CLOSE_GRACE_MS', 1_000, positiveInteger),
  /** Largest frame accepted before the client is open, in bytes (a hello with credentials is well under 2 KiB); larger ones close with 1009. */
  maxPayloadBytesBeforeAuth: setting('MAX_PAYLOAD_BYTES_BEFORE_AUTH', 16 * 1024, positiveInteger),
  /** Bytes of frames a client may send in all before it is open (a handshake takes under 4 KiB); past it close 4006. At least `maxPayloadBytesBeforeAuth`. */
  maxBytesBeforeAuth: setting('MAX_BYTES_BEFORE_AUTH', 64 * 1024, positiveInteger),
  /** Largest frame accepted, in bytes; larger frames close the socket with 1009. */
  maxPayloadBytes: setting('MAX_PAYLOAD_BYTES', 64 * 1024, positiveInteger),
  /** Most rooms one client may be in through `join`. */
  maxRoomsPerClient: setting('MAX_ROOMS_PER_CLIENT', 100, positiveInteger),
  /** Longest room name, in UTF-16 code units. */
  maxRoomNameLength: setting('MAX_ROOM_NAME_LENGTH', 128, positiveInteger),
  /** Characters a room name may use. Names starting with `sealed:` are always refused. */
  roomNamePattern: setting('ROOM_NAME_PATTERN', /^[A-Za-z0-9_.:@/-]+$/ as RegExp, SettingRules.pattern),
  /** Longest event name accepted from clients. */
  maxEventNameLength: setting('MAX_EVENT_NAME_LENGTH', 128, positiveInteger),
  /** Deepest nesting of objects and arrays accepted in a frame. */
  maxJsonDepth: setting('MAX_JSON_DEPTH', 32, positiveInteger),
  /** Bytes a client's socket may hold unsent before `slowConsumerPolicy` applies. */
  maxBufferedBytes: setting('MAX_BUFFERED_BYTES', 1024 * 1024, positiveInteger),
  /** Bytes all sockets together may hold unsent; past it the clients holding the most are cut off (no closing handshake) until the total is back under it. */
  maxTotalBufferedBytes: setting('MAX_TOTAL_BUFFERED_BYTES', 256 * 1024 * 1024, positiveInteger),
  /** Bytes of one event-loop turn's writes coalesced for one socket before they are written without waiting for the turn to end. */
  maxTurnBytes: setting('MAX_TURN_BYTES', 64 * 1024, positiveInteger),
  /** When each socket's coalesced writes go out: `'tick'`, once the code that wrote them has run, or `'iteration'`, once the event loop's poll phase ends, so the relays of every frame read in one loop iteration share one system call per socket (at most one iteration's delay). */
  writeCoalescing: choice<'WRITE_COALESCING', WriteCoalescing>('WRITE_COALESCING', WriteCoalescing.ITERATION, SettingRules.writeCoalescing),
  /**
   * Opt-in write delay: when above 0, each socket's writes are held up to this many milliseconds (or until
   * `maxTurnBytes` are waiting for it) and written together, trading that much latency for fewer system calls
   * under load. Protocol answers are not held. 0 (the default) writes as `writeCoalescing` says.
   */
  writeDelayMs: setting('WRITE_DELAY_MS', 0, SettingRules.nonNegativeInteger),
  /** What to do with a client that reads too slowly. */
  slowConsumerPolicy: choice<'SLOW_CONSUMER_POLICY', SlowConsumerPolicy>('SLOW_CONSUMER_POLICY', SlowConsumerPolicy.CLOSE, SettingRules.slowConsumerPolicy),
  /** Per-client inbound rate limit; beyond it the client is closed with 4006. */
  rateLimit: setting('RATE_LIMIT', Object.freeze({ messagesPerSecond: 100, burst: 200 }) as RateLimitOptions, SettingRules.rateLimit),
  /** Bytes per second of frames a client may send on average (before and after authentication); beyond it the client is closed with 4006. */
  inboundBytesPerSecond: setting('INBOUND_BYTES_PER_SECOND', 1024 * 1024, positiveInteger),
  /** Bytes of frames a client may send at once after being quiet; at least `maxPayloadBytes`. */
  inboundBurstBytes: setting('INBOUND_BURST_BYTES', 4 * 1024 * 1024, positiveInteger),
  /** Frames a client may have waiting on slow handlers; beyond it the client is closed with 4006. */
  maxInboundQueue: setting('MAX_INBOUND_QUEUE', 64, positiveInteger),
  /** Milliseconds `request` waits for a client's reply before it rejects with `REQUEST_TIMEOUT` (each call may set its own). */
  requestTimeoutMs: setting('REQUEST_TIMEOUT_MS', 10_000, positiveInteger),
  /** Requests to one client that may await their reply at once; past it `request` rejects with `TOO_MANY_PENDING_REQUESTS`. */
  maxPendingRequestsPerClient: setting('MAX_PENDING_REQUESTS_PER_CLIENT', 100, positiveInteger),
  /** Milliseconds an instance's presence members outlive its last heartbeat (sent every third of it): a crashed instance's members vanish within it. */
  presenceTtlMs: setting('PRESENCE_TTL_MS', 30_000, positiveInteger),
  /** KeyPackages the Delivery Service holds per device for end-to-end rooms; past it the oldest go. Also the most one `sealed:mls:publish` may carry. */
  maxKeyPackagesPerDevice: setting('MAX_KEY_PACKAGES_PER_DEVICE', 100, positiveInteger),
  /** Commits kept per end-to-end room for members catching up (`sealed:mls:log`); a device further behind gets `LOG_TRUNCATED`. */
  maxGroupLogEntries: setting('MAX_GROUP_LOG_ENTRIES', 1_000, positiveInteger),
  /** Bytes of one MLS message of an end-to-end room (KeyPackage, commit, Welcome, application message), before base64. */
  maxMlsMessageBytes: setting('MAX_MLS_MESSAGE_BYTES', 32 * 1024, positiveInteger),
  /** Milliseconds `shutdown` waits for clients to finish the closing handshake before cutting them off. */
  shutdownGraceMs: setting('SHUTDOWN_GRACE_MS', 5_000, positiveInteger),
  /** Refuse every client whose handshake does not make it encrypted (close 4004). Needs `handshakeFn`. */
  requireEncryption: setting('REQUIRE_ENCRYPTION', false as boolean),
  /** Most transformer calls in flight at once, across the whole server. */
  encryptedBatchLimit: setting('ENCRYPTED_BATCH_LIMIT', 10, positiveInteger),
  /** Newest messages kept per room that keeps history (`roomHistoryFn`). */
  historyMaxMessages: setting('HISTORY_MAX_MESSAGES', 1_000, positiveInteger),
  /** Milliseconds a room's message stays in its history; a room silent for longer forgets its stream (and its epoch). */
  historyMaxAgeMs: setting('HISTORY_MAX_AGE_MS', 300_000, positiveInteger),
  /** With a bus: milliseconds a room message from across instances waits for an earlier offset of its room still on its way; then the missing ones are skipped (`historySkippedMessages`). At most `historyMaxMessages` wait per room. */
  historyReorderMs: setting('HISTORY_REORDER_MS', 100, positiveInteger),
  /** Milliseconds of one logging window for what peers can repeat at will (refused upgrades and handshakes, rejected frames, dropped bus envelopes): the first of each kind and reason is logged at once, the rest as one summary line when the window ends. */
  repeatedLogIntervalMs: setting('REPEATED_LOG_INTERVAL_MS', 60_000, positiveInteger),
  /** Prefix of every bus channel name. */
  busChannelPrefix: setting('BUS_CHANNEL_PREFIX', BusDefaults.CHANNEL_PREFIX as string),
  /** Largest bus envelope accepted or published, in UTF-8 bytes. */
  maxBusEnvelopeBytes: setting('MAX_BUS_ENVELOPE_BYTES', BusDefaults.MAX_ENVELOPE_BYTES as number, positiveInteger),
  /** Oldest (or furthest in the future, for clock skew) a bus envelope may be, in ms; older ones are dropped. */
  maxBusEnvelopeAgeMs: setting('MAX_BUS_ENVELOPE_AGE_MS', BusDefaults.MAX_ENVELOPE_AGE_MS as number, positiveInteger),
  /** Envelope ids remembered against duplicates (for twice the age window); past it the oldest go first. */
  busDuplicateCacheSize: setting('BUS_DUPLICATE_CACHE_SIZE', BusDefaults.DUPLICATE_CACHE_SIZE as number, positiveInteger),
  /** Let a bus that leaves the process (Redis) run without `busSecret`, so whoever can write to it can send events to clients. A warning is logged at start. */
  allowUnauthenticatedBus: setting('ALLOW_UNAUTHENTICATED_BUS', false as boolean),
});

type Settings = typeof SERVER_SETTINGS;

/** Every setting of {@link SERVER_SETTINGS} with its value: what the server runs with. */
export type ServerSettingValues = { -readonly [K in keyof Settings]: Settings[K]['value'] };

/** Every default of the server's settings by its constant name, e.g. `WebSocketDefaults.AUTH_TIMEOUT_MS`. */
export type WebSocketDefaultsTable = { readonly [K in keyof Settings as Settings[K]['constant']]: Settings[K]['value'] };

/** Every default of the server's settings, in one place; the same values are listed in `docs/options.md`. */
export const WebSocketDefaults = Object.freeze(
  Object.fromEntries(Object.values(SERVER_SETTINGS).map((spec) => [spec.constant, spec.value])),
) as WebSocketDefaultsTable;

/**
 * Fills in every default of the table and checks each value against its rule.
 *
 * @throws InvalidOptionsError for a value that can never work.
 */
export function resolveSettings(options: Partial<ServerSettingValues>): ServerSettingValues {
  const resolved: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(SERVER_SETTINGS) as Array<[keyof Settings, SettingSpec<string, unknown>]>) {
    const value = options[name] ?? spec.value;
    spec.rule?.(name, value);
    resolved[name] = value;
  }
  return resolved as ServerSettingValues;
}
