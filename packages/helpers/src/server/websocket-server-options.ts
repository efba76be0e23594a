import type { Server as HttpServer } from 'node:http';
import type { Logger } from '../logging/logger.ts';
import { BusDefaults } from '../bus/bus-defaults.ts';
import { SealedError } from '../protocol/sealed-error.ts';
import type { MessageBus } from '../bus/message-bus.ts';
import type { HandshakeFn, InboundTransformer, OutboundTransformer } from './encryption-hooks.ts';
import type {
  AuthenticateFn,
  ClientConnectedFn,
  ClientDisconnectedFn,
  MessageHandler,
  ValidateRoomFn,
} from './server-hooks.ts';

/** What the server does with a client whose outbound buffer passed `maxBufferedBytes`. */
export const SlowConsumerPolicy = {
  /** Close the client with 4007 SLOW_CONSUMER. */
  CLOSE: 'close',
  /** Skip the message for that client and count the drop. */
  DROP: 'drop',
} as const;

export type SlowConsumerPolicy = (typeof SlowConsumerPolicy)[keyof typeof SlowConsumerPolicy];

/** A token bucket: a steady rate with room for bursts. */
export interface RateLimitOptions {
  /** Frames per second a client may send on average. */
  messagesPerSecond: number;
  /** Frames a client may send at once after being quiet. */
  burst: number;
}

/**
 * Every default of {@link WebSocketServerOptions}, in one place. The same
 * values are listed in `docs/options.md`.
 */
export const WebSocketDefaults = Object.freeze({
  IDENTIFIER: 'sealed-websocket',
  PATH: '/ws',
  DEFAULT_ROOMS: Object.freeze([] as string[]),
  AUTH_TIMEOUT_MS: 5_000,
  HEARTBEAT_INTERVAL_MS: 30_000,
  HEARTBEAT_TIMEOUT_MS: 90_000,
  MAX_CONNECTIONS: 10_000,
  MAX_PAYLOAD_BYTES: 64 * 1024,
  MAX_ROOMS_PER_CLIENT: 100,
  MAX_ROOM_NAME_LENGTH: 128,
  ROOM_NAME_PATTERN: /^[A-Za-z0-9_.:@/-]+$/,
  MAX_EVENT_NAME_LENGTH: 128,
  MAX_JSON_DEPTH: 32,
  MAX_BUFFERED_BYTES: 1024 * 1024,
  MAX_TURN_BYTES: 64 * 1024,
  SLOW_CONSUMER_POLICY: SlowConsumerPolicy.CLOSE as SlowConsumerPolicy,
  RATE_LIMIT: Object.freeze({ messagesPerSecond: 100, burst: 200 }),
  MAX_INBOUND_QUEUE: 64,
  SHUTDOWN_GRACE_MS: 5_000,
  REQUIRE_ENCRYPTION: false,
  ENCRYPTED_BATCH_LIMIT: 10,
  BUS_CHANNEL_PREFIX: BusDefaults.CHANNEL_PREFIX,
  MAX_BUS_ENVELOPE_BYTES: BusDefaults.MAX_ENVELOPE_BYTES,
});

/**
 * Options of `WebSocketServerHelper`. Only `server` and `authenticateFn` are
 * required; every other field has a default in {@link WebSocketDefaults}.
 */
export interface WebSocketServerOptions {
  /** The HTTP(S) server whose `upgrade` events the helper takes over for `path`. */
  server: HttpServer;
  /** Names this server in logs and, later, on the bus. */
  identifier?: string;
  /** URL path that accepts WebSocket upgrades. */
  path?: string;
  /** Rooms every client joins as soon as it is open (exempt from `validateRoomFn`). */
  defaultRooms?: readonly string[];
  /** Milliseconds from upgrade until the client must be authenticated; then close 4001. */
  authTimeout?: number;
  /** Milliseconds between liveness sweeps; each sweep also pings every open socket. */
  heartbeatInterval?: number;
  /** Milliseconds of silence (no frame, no pong) after which a client is closed with 4002. */
  heartbeatTimeout?: number;
  /** Most sockets at once, counting upgrades still in progress; beyond it, HTTP 503 before upgrading. */
  maxConnections?: number;
  /** Largest frame accepted, in bytes; larger frames close the socket with 1009. */
  maxPayloadBytes?: number;
  /** Most rooms one client may be in through `join`. */
  maxRoomsPerClient?: number;
  /** Longest room name, in UTF-16 code units. */
  maxRoomNameLength?: number;
  /** Characters a room name may use. Names starting with `sealed:` are always refused. */
  roomNamePattern?: RegExp;
  /** Longest event name accepted from clients. */
  maxEventNameLength?: number;
  /** Deepest nesting of objects and arrays accepted in a frame. */
  maxJsonDepth?: number;
  /** Browser origins allowed to connect (exact match, e.g. `https://chat.example`). Unset: any origin. Requests without `Origin` (non-browser clients) are always allowed. */
  allowedOrigins?: readonly string[];
  /** Bytes a client's socket may hold unsent before `slowConsumerPolicy` applies. */
  maxBufferedBytes?: number;
  /**
   * Bytes of one event-loop turn's writes coalesced for one socket before
   * they are written without waiting for the turn to end.
   */
  maxTurnBytes?: number;
  /** What to do with a client that reads too slowly. */
  slowConsumerPolicy?: SlowConsumerPolicy;
  /** Per-client inbound rate limit; beyond it the client is closed with 4006. */
  rateLimit?: RateLimitOptions;
  /** Frames a client may have waiting on slow handlers; beyond it the client is closed with 4006. */
  maxInboundQueue?: number;
  /** Milliseconds `shutdown` waits for clients to finish the closing handshake before cutting them off. */
  shutdownGraceMs?: number;
  /** Refuse every client whose handshake does not make it encrypted (close 4004). Needs `handshakeFn`. */
  requireEncryption?: boolean;
  /** Most transformer calls in flight at once, across the whole server. */
  encryptedBatchLimit?: number;
  /** Runs the key exchange during authentication. */
  handshakeFn?: HandshakeFn;
  /** Transforms (encrypts) every message to an encrypted client. */
  outboundTransformer?: OutboundTransformer;
  /** Transforms (decrypts) every frame from an encrypted client before dispatch. */
  inboundTransformer?: InboundTransformer;
  /** How this server reaches other instances. Unset: this server alone. The bus's owner starts and closes it. */
  bus?: MessageBus;
  /** Shared secret that authenticates bus envelopes (HMAC-SHA-256); envelopes without a valid MAC are dropped. */
  busSecret?: string;
  /** Prefix of every bus channel name. */
  busChannelPrefix?: string;
  /** Largest bus envelope accepted, in bytes. */
  maxBusEnvelopeBytes?: number;
  /** This instance's id on the bus; every client id starts with it. A random one by default. */
  instanceId?: string;
  /** Checks credentials. Required. */
  authenticateFn: AuthenticateFn;
  /** Decides which rooms a client may join. Without it, every `join` is denied. */
  validateRoomFn?: ValidateRoomFn;
  /** Told when a client is open. */
  clientConnectedFn?: ClientConnectedFn;
  /** Told when an open client disconnects. */
  clientDisconnectedFn?: ClientDisconnectedFn;
  /** Receives application events. Without it, they are dropped. */
  messageHandler?: MessageHandler;
  /** Parent pino logger; the helper logs through a child of it. */
  logger?: Logger;
}

/** The optional functions an application hands the server. */
type HookOption =
  | 'validateRoomFn'
  | 'clientConnectedFn'
  | 'clientDisconnectedFn'
  | 'messageHandler'
  | 'handshakeFn'
  | 'outboundTransformer'
  | 'inboundTransformer';

/** Options that are code or live objects rather than configuration. */
type WiredOption = HookOption | 'server' | 'logger' | 'authenticateFn' | 'bus';

/**
 * The configuration part of {@link WebSocketServerOptions}: every option
 * that is plain data (paths, limits, timings, secrets), all optional. What a
 * container binds as the server's settings.
 */
export type WebSocketServerSettings = Partial<Omit<WebSocketServerOptions, WiredOption>>;

/** Options that stay optional once defaults are filled in. */
type OptionalOption = HookOption | 'allowedOrigins' | 'bus' | 'busSecret' | 'instanceId';

/** {@link WebSocketServerOptions} with every default filled in. */
export type ResolvedServerOptions = Required<Omit<WebSocketServerOptions, OptionalOption | 'logger'>> &
  Pick<WebSocketServerOptions, OptionalOption> & {
    logger: Logger;
  };

/** The code of every {@link InvalidOptionsError}. */
export const INVALID_OPTIONS = 'INVALID_OPTIONS';

/** Raised for options or arguments that can never work: a programming error (code `INVALID_OPTIONS`). */
export class InvalidOptionsError extends SealedError {
  constructor(message: string) {
    super(INVALID_OPTIONS, message);
    this.name = 'InvalidOptionsError';
  }
}

function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new InvalidOptionsError(`Option "${name}" must be a positive integer, got ${String(value)}`);
  }
}

/**
 * Fills in the defaults and checks the options that could never work.
 *
 * @throws InvalidOptionsError for a missing `server`/`authenticateFn` or a non-positive limit.
 */
export function resolveServerOptions(options: WebSocketServerOptions, logger: Logger): ResolvedServerOptions {
  if (!options.server) throw new InvalidOptionsError('Option "server" (an http.Server) is required');
  if (typeof options.authenticateFn !== 'function') {
    throw new InvalidOptionsError('Option "authenticateFn" is required: every client must authenticate');
  }
  const resolved: ResolvedServerOptions = {
    ...options,
    identifier: options.identifier ?? WebSocketDefaults.IDENTIFIER,
    path: options.path ?? WebSocketDefaults.PATH,
    defaultRooms: options.defaultRooms ?? WebSocketDefaults.DEFAULT_ROOMS,
    authTimeout: options.authTimeout ?? WebSocketDefaults.AUTH_TIMEOUT_MS,
    heartbeatInterval: options.heartbeatInterval ?? WebSocketDefaults.HEARTBEAT_INTERVAL_MS,
    heartbeatTimeout: options.heartbeatTimeout ?? WebSocketDefaults.HEARTBEAT_TIMEOUT_MS,
    maxConnections: options.maxConnections ?? WebSocketDefaults.MAX_CONNECTIONS,
    maxPayloadBytes: options.maxPayloadBytes ?? WebSocketDefaults.MAX_PAYLOAD_BYTES,
    maxRoomsPerClient: options.maxRoomsPerClient ?? WebSocketDefaults.MAX_ROOMS_PER_CLIENT,
    maxRoomNameLength: options.maxRoomNameLength ?? WebSocketDefaults.MAX_ROOM_NAME_LENGTH,
    roomNamePattern: options.roomNamePattern ?? WebSocketDefaults.ROOM_NAME_PATTERN,
    maxEventNameLength: options.maxEventNameLength ?? WebSocketDefaults.MAX_EVENT_NAME_LENGTH,
    maxJsonDepth: options.maxJsonDepth ?? WebSocketDefaults.MAX_JSON_DEPTH,
    maxBufferedBytes: options.maxBufferedBytes ?? WebSocketDefaults.MAX_BUFFERED_BYTES,
    maxTurnBytes: options.maxTurnBytes ?? WebSocketDefaults.MAX_TURN_BYTES,
    slowConsumerPolicy: options.slowConsumerPolicy ?? WebSocketDefaults.SLOW_CONSUMER_POLICY,
    rateLimit: options.rateLimit ?? WebSocketDefaults.RATE_LIMIT,
    maxInboundQueue: options.maxInboundQueue ?? WebSocketDefaults.MAX_INBOUND_QUEUE,
    shutdownGraceMs: options.shutdownGraceMs ?? WebSocketDefaults.SHUTDOWN_GRACE_MS,
    requireEncryption: options.requireEncryption ?? WebSocketDefaults.REQUIRE_ENCRYPTION,
    encryptedBatchLimit: options.encryptedBatchLimit ?? WebSocketDefaults.ENCRYPTED_BATCH_LIMIT,
    busChannelPrefix: options.busChannelPrefix ?? WebSocketDefaults.BUS_CHANNEL_PREFIX,
    maxBusEnvelopeBytes: options.maxBusEnvelopeBytes ?? WebSocketDefaults.MAX_BUS_ENVELOPE_BYTES,
    logger,
  };
  for (const name of [
    'authTimeout',
    'heartbeatInterval',
    'heartbeatTimeout',
    'maxConnections',
    'maxPayloadBytes',
    'maxRoomsPerClient',
    'maxRoomNameLength',
    'maxEventNameLength',
    'maxJsonDepth',
    'maxBufferedBytes',
    'maxTurnBytes',
    'maxInboundQueue',
    'shutdownGraceMs',
    'encryptedBatchLimit',
    'maxBusEnvelopeBytes',
  ] as const) {
    requirePositiveInteger(name, resolved[name]);
  }
  if (!(resolved.rateLimit.messagesPerSecond > 0) || !(resolved.rateLimit.burst >= 1)) {
    throw new InvalidOptionsError('Option "rateLimit" needs messagesPerSecond > 0 and burst >= 1');
  }
  if (resolved.requireEncryption && typeof resolved.handshakeFn !== 'function') {
    throw new InvalidOptionsError('Option "requireEncryption" needs a "handshakeFn" to run the key exchange');
  }
  if (resolved.instanceId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(resolved.instanceId)) {
    throw new InvalidOptionsError('Option "instanceId" must be 1-64 letters, digits, "_" or "-"');
  }
  if (!resolved.path.startsWith('/')) throw new InvalidOptionsError('Option "path" must start with "/"');
  return resolved;
}
