/**
 * `@sealed/helpers`: the Sealed server on `ws` for Node. The client SDK is
 * `@sealed/helpers/client`; the pure protocol and crypto layers are
 * `@sealed/helpers/protocol` and `@sealed/helpers/crypto`.
 */

// The server.
export { WebSocketServerHelper, type OutboundMessage } from './server/websocket-server-helper.ts';
export {
  WebSocketDefaults,
  SERVER_SETTINGS,
  SlowConsumerPolicy,
  WriteCoalescing,
  InvalidOptionsError,
  type RateLimitOptions,
  type ServerSettingValues,
  type WebSocketServerOptions,
  type WebSocketServerSettings,
} from './server/websocket-server-options.ts';
export type {
  AuthenticateFn,
  AuthenticationResult,
  ClientConnectedFn,
  ClientDisconnectedFn,
  MessageContext,
  MessageHandler,
  RoomHistoryFn,
  ValidateRoomFn,
} from './server/server-hooks.ts';
export { InMemoryHistoryStore } from './server/history/in-memory-history-store.ts';
export { InMemoryPresenceStore } from './server/presence/in-memory-presence-store.ts';
export { RedisPresenceStore, RedisPresenceStoreDefaults, type RedisPresenceStoreOptions } from './server/presence/redis-presence-store.ts';
export type { PresenceMember, PresenceStore, ReapedMembers } from './server/presence/presence-store.ts';
export type { PresenceChange, RoomPresenceFn } from './server/presence/room-presence.ts';
export { InMemoryDeliveryServiceStore } from './server/e2e/in-memory-delivery-service-store.ts';
export {
  RedisDeliveryServiceStore,
  RedisDeliveryServiceStoreDefaults,
  type RedisDeliveryServiceStoreOptions,
} from './server/e2e/redis-delivery-service-store.ts';
export type { AdmittedDevice, DeliveryServiceStore, GroupRecord, LogSlice } from './server/e2e/delivery-service-store.ts';
export type { EndToEndRoomFn } from './server/e2e/delivery-service.ts';
export { MLS_CIPHER_SUITE } from './crypto/mls-cipher-suite.ts';
export type { LoggedCommit, RoomDevice } from './protocol/end-to-end.ts';
export { RedisHistoryStore, RedisHistoryStoreDefaults, type RedisHistoryStoreOptions } from './server/history/redis-history-store.ts';
export type { HistoryEntry, HistoryLimits, HistorySince, HistoryStore } from './server/history/history-store.ts';
export type { RoomPosition, StreamPosition } from './protocol/room-position.ts';
export type { EventMap, EventName, PayloadArgument, PayloadOf, ResultOf, WithReply } from './protocol/event-map.ts';
export type {
  ClientSession,
  HandshakeFn,
  HandshakeOutcome,
  InPlaceBinaryFrame,
  InboundTransformer,
  OutboundContext,
  OutboundTransformer,
  TransformedFrame,
  UserRefusal,
} from './server/encryption-hooks.ts';
export type { DeliveryReport } from './server/delivery/message-delivery.ts';
export type { ClientRequest } from './server/delivery/client-requests.ts';
export type { SendKind, ServerTimingObserver } from './server/server-timings.ts';
export type { DeliveryTarget } from './server/delivery/delivery-target.ts';
export type { ServerMetricsSnapshot } from './server/server-metrics.ts';
export type { WebSocketClientInfo } from './server/registry/websocket-client.ts';
export { ConnectionState } from './server/registry/connection-state.ts';
export { RESERVED_ROOM_PREFIX } from './server/registry/room-name-rules.ts';
export type { DeniedRoom } from './server/lifecycle/room-requests.ts';
export { UpgradeRejection } from './server/lifecycle/upgrade-gate.ts';
export { loadOrCreateServerIdentity } from './server/server-identity-file.ts';

// The default secure channel for the server's hooks.
export {
  createSecureServerKit,
  SecureKitDefaults,
  type SecureServerKit,
  type SecureServerKitOptions,
} from './kit/secure-server-kit.ts';
export { SecureSession } from './kit/secure-session.ts';
export { DEVICE_DEFAULTS, type DeviceEnrollment, type EnrollDeviceFn } from './kit/device-pins.ts';
export { RESUMPTION_DEFAULTS, type ResumptionPolicy } from './kit/session-tickets.ts';
export type { SecureKitMetricsSnapshot, CountedTicketRefusal } from './kit/secure-kit-metrics.ts';
export { NodeCryptoProvider } from './crypto/node-crypto-provider.ts';
export { SecurityLevel, parseSecurityLevels } from './crypto/security-level.ts';
export { AeadSuite } from './crypto/aead-suite.ts';
export { InMemoryPinStore, type PinStore } from './crypto/pin-store.ts';
export { REKEY_DEFAULTS, type RekeyPolicy } from './crypto/secure-channel.ts';
export type { CryptoProvider, RawKeyPair } from './crypto/crypto-provider.ts';

// Several instances.
export type { MessageBus, BusHandler } from './bus/message-bus.ts';
export { InProcessBus, InProcessBusHub } from './bus/in-process-bus.ts';
export { RedisBus, RedisBusDefaults, type RedisBusOptions, type RedisBusStats } from './bus/redis-bus.ts';
export { RedisReplayStore, RedisReplayStoreDefaults, type RedisReplayStoreOptions } from './bus/redis-replay-store.ts';
export { InMemoryReplayStore, type ReplayStore, type ReplayClaim } from './crypto/replay-store.ts';
export { WebSocketEmitter, type WebSocketEmitterOptions } from './bus/websocket-emitter.ts';
export { BusDefaults } from './bus/bus-defaults.ts';
export { BusErrorCode } from './bus/bus-error-codes.ts';

// Errors and codes (the whole protocol layer is `@sealed/helpers/protocol`).
export { CloseCode, closeCodeName } from './protocol/close-codes.ts';
export { ErrorCode } from './protocol/error-codes.ts';
export { UsageErrorCode } from './protocol/usage-error-codes.ts';
export { SealedError, type SealedErrorCode, type SealedErrorOptions } from './protocol/sealed-error.ts';

// Small pieces.
export { createDefaultLogger, type DefaultLoggerOptions, type LogDestination, type Logger } from './logging/logger.ts';
export { PrometheusMetrics, PROMETHEUS_DEFAULTS, type MeasuredServer, type PrometheusMetricsOptions } from './metrics/prometheus-metrics.ts';
export { executePromiseWithLimit } from './utils/execute-promise-with-limit.ts';
export type { ValueOrPromise } from './types/value-or-promise.ts';
