import type { Server as HttpServer } from 'node:http';
import type { Logger } from '../logging/logger.ts';
import { sharedAcrossProcesses, type MessageBus } from '../bus/message-bus.ts';
import type { HistoryStore } from './history/history-store.ts';
import type { PresenceStore } from './presence/presence-store.ts';
import type { RoomPresenceFn } from './presence/room-presence.ts';
import type { DeliveryServiceStore } from './e2e/delivery-service-store.ts';
import type { EndToEndRoomFn } from './e2e/delivery-service.ts';
import type { EventMap } from '../protocol/event-map.ts';
import type { HandshakeFn, InboundTransformer, OutboundTransformer } from './encryption-hooks.ts';
import type {
  AuthenticateFn,
  ClientConnectedFn,
  ClientDisconnectedFn,
  MessageHandler,
  RoomHistoryFn,
  ValidateRoomFn,
} from './server-hooks.ts';
import { InvalidOptionsError, resolveSettings, type ServerSettingValues } from './server-settings.ts';

export {
  InvalidOptionsError,
  SERVER_SETTINGS,
  SettingRules,
  SlowConsumerPolicy,
  WebSocketDefaults,
  WriteCoalescing,
  type RateLimitOptions,
  type ServerSettingValues,
} from './server-settings.ts';

/**
 * Options of `WebSocketServerHelper`. Only `server` and `authenticateFn` are
 * required; the settings with defaults come from {@link SERVER_SETTINGS}
 * (defaults in {@link WebSocketDefaults}).
 */
export interface WebSocketServerOptions<ClientEvents extends EventMap = EventMap> extends Partial<ServerSettingValues> {
  /** The HTTP(S) server whose `upgrade` events the helper takes over for `path`. */
  server: HttpServer;
  /** Browser origins allowed to connect (exact match, e.g. `https://chat.example`). Unset: any origin. Requests without `Origin` (non-browser clients) are always allowed. */
  allowedOrigins?: readonly string[];
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
  /** Says which rooms keep history: their messages carry a position and a client that rejoins with `since` gets what it missed. Without it, no room does. */
  roomHistoryFn?: RoomHistoryFn;
  /** Where room histories live. Unset: in this process's memory. With a bus it is required, and shared by every instance (a `RedisHistoryStore` when the bus is Redis). */
  historyStore?: HistoryStore;
  /** Says which rooms track presence: their members are kept where every instance sees them (`getPresence`, `sealed:members`) and each join and leave is announced to the room (`sealed:presence`). Without it, no room does. */
  roomPresenceFn?: RoomPresenceFn;
  /** Where presence is kept. Unset: in this process's memory. With a bus it is required, and shared by every instance (a `RedisPresenceStore`). */
  presenceStore?: PresenceStore;
  /**
   * Says which rooms are end-to-end: MLS groups whose messages the server relays as ciphertext it cannot read,
   * acting as their Delivery Service (docs/end-to-end-rooms.md). Joining one needs a device key (the secure kit's
   * handshake). Without it, no room is.
   */
  endToEndRoomFn?: EndToEndRoomFn;
  /** Where end-to-end rooms' KeyPackages, admissions, groups and commit logs are kept. Unset: in this process's memory. With a bus it is required, and shared by every instance (a `RedisDeliveryServiceStore`). */
  deliveryServiceStore?: DeliveryServiceStore;
  /** Receives application events. Without it, they are dropped. */
  messageHandler?: MessageHandler<ClientEvents>;
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
  | 'inboundTransformer'
  | 'roomHistoryFn'
  | 'roomPresenceFn'
  | 'endToEndRoomFn';

/** Options that are code or live objects rather than configuration. */
type WiredOption = HookOption | 'server' | 'logger' | 'authenticateFn' | 'bus' | 'historyStore' | 'presenceStore' | 'deliveryServiceStore';

/**
 * The configuration part of {@link WebSocketServerOptions}: every option
 * that is plain data (paths, limits, timings, secrets), all optional. What a
 * container binds as the server's settings.
 */
export type WebSocketServerSettings = Partial<Omit<WebSocketServerOptions, WiredOption>>;

/** Options that stay optional once defaults are filled in. */
type OptionalOption = HookOption | 'allowedOrigins' | 'bus' | 'busSecret' | 'instanceId' | 'historyStore' | 'presenceStore' | 'deliveryServiceStore';

/** {@link WebSocketServerOptions} with every default filled in. */
export type ResolvedServerOptions = Required<Omit<WebSocketServerOptions, OptionalOption | 'logger'>> &
  Pick<WebSocketServerOptions, OptionalOption> & {
    logger: Logger;
  };

/** A store a room feature keeps across instances, and what goes wrong when it is not shared. */
interface SharedStoreRule {
  /** The option that turns the feature on. */
  feature: 'roomHistoryFn' | 'roomPresenceFn' | 'endToEndRoomFn';
  /** The option that names the store. */
  storeOption: 'historyStore' | 'presenceStore' | 'deliveryServiceStore';
  /** The store to use with a RedisBus. */
  redisStore: string;
  /** What an in-memory store would do across instances. */
  inMemoryWould: string;
}

/** Every room feature that keeps a store. */
const SHARED_STORE_RULES: readonly SharedStoreRule[] = [
  { feature: 'roomHistoryFn', storeOption: 'historyStore', redisStore: 'RedisHistoryStore', inMemoryWould: 'give the same room different positions on each' },
  { feature: 'roomPresenceFn', storeOption: 'presenceStore', redisStore: 'RedisPresenceStore', inMemoryWould: 'show each instance only its own members' },
  { feature: 'endToEndRoomFn', storeOption: 'deliveryServiceStore', redisStore: 'RedisDeliveryServiceStore', inMemoryWould: 'give one room a group per instance' },
];

/**
 * With a bus, every instance must see a feature's rooms in one place (number
 * a room's messages in one stream, see its members, order its commits): the
 * store is named, and reaches as far as the bus does.
 */
function refuseUnsharedStore(rule: SharedStoreRule, bus: MessageBus, store: { sharedAcrossProcesses?: boolean } | undefined): void {
  if (!store) {
    throw new InvalidOptionsError(`Option "${rule.feature}" with a "bus" needs a "${rule.storeOption}" every instance shares (a ${rule.redisStore} with a RedisBus)`);
  }
  if (sharedAcrossProcesses(bus) && store.sharedAcrossProcesses === false) {
    throw new InvalidOptionsError(
      `Option "${rule.storeOption}" must reach every instance the bus reaches: an in-memory store would ${rule.inMemoryWould} (use a ${rule.redisStore})`,
    );
  }
}

/**
 * Fills in the defaults and checks the options that could never work.
 *
 * @throws InvalidOptionsError for a missing `server`/`authenticateFn`, or a setting its rule refuses.
 */
export function resolveServerOptions(options: WebSocketServerOptions, logger: Logger): ResolvedServerOptions {
  if (!options.server) throw new InvalidOptionsError('Option "server" (an http.Server) is required');
  if (typeof options.authenticateFn !== 'function') {
    throw new InvalidOptionsError('Option "authenticateFn" is required: every client must authenticate');
  }
  const resolved: ResolvedServerOptions = { ...options, ...resolveSettings(options), logger };
  if (resolved.bus && sharedAcrossProcesses(resolved.bus) && resolved.busSecret === undefined && !resolved.allowUnauthenticatedBus) {
    throw new InvalidOptionsError(
      'Option "busSecret" is required with a bus other processes can write to: without it they can send any event to every client (set "allowUnauthenticatedBus" to run without one)',
    );
  }
  if (resolved.requireEncryption && typeof resolved.handshakeFn !== 'function') {
    throw new InvalidOptionsError('Option "requireEncryption" needs a "handshakeFn" to run the key exchange');
  }
  for (const rule of SHARED_STORE_RULES) {
    if (resolved[rule.feature] && resolved.bus) refuseUnsharedStore(rule, resolved.bus, resolved[rule.storeOption]);
  }
  if (resolved.inboundBurstBytes < resolved.maxPayloadBytes) {
    throw new InvalidOptionsError('Option "inboundBurstBytes" must be at least "maxPayloadBytes", or the largest frame could never be accepted');
  }
  if (resolved.maxBytesBeforeAuth < resolved.maxPayloadBytesBeforeAuth) {
    throw new InvalidOptionsError('Option "maxBytesBeforeAuth" must be at least "maxPayloadBytesBeforeAuth"');
  }
  if (resolved.instanceId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(resolved.instanceId)) {
    throw new InvalidOptionsError('Option "instanceId" must be 1-64 letters, digits, "_" or "-"');
  }
  return resolved;
}
