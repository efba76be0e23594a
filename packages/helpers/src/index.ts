export { CloseCode, closeCodeName } from './protocol/close-codes.ts';
export { ErrorCode } from './protocol/error-codes.ts';
export {
  ClientEvent,
  ServerEvent,
  ReservedEvent,
  RESERVED_EVENT_PREFIX,
  isReservedEventName,
} from './protocol/event-names.ts';
export {
  decodeTextFrame,
  encodeFrame,
  readRoomsPayload,
  FRAME_LIMIT_DEFAULTS,
  type DecodeResult,
  type FrameLimits,
  type ProtocolMessage,
} from './protocol/frame-codec.ts';
export { SealedError, type SealedErrorCode, type SealedErrorOptions } from './protocol/sealed-error.ts';
export { createDefaultLogger, componentLogger, type Logger } from './logging/logger.ts';
export type { ValueOrPromise } from './types/value-or-promise.ts';
export { TokenBucket } from './utils/token-bucket.ts';
export { SerialTaskQueue } from './utils/serial-task-queue.ts';
export { ConnectionState, IllegalTransitionError } from './server/registry/connection-state.ts';
export type {
  AuthenticateFn,
  AuthenticationResult,
  ClientConnectedFn,
  ClientDisconnectedFn,
  MessageHandler,
  ValidateRoomFn,
} from './server/server-hooks.ts';
export {
  WebSocketDefaults,
  SERVER_SETTINGS,
  SlowConsumerPolicy,
  InvalidOptionsError,
  type RateLimitOptions,
  type WebSocketServerOptions,
  type WebSocketServerSettings,
} from './server/websocket-server-options.ts';
export { RESERVED_ROOM_PREFIX, checkRoomName, type RoomNameRules } from './server/registry/room-name-rules.ts';
export type { DeniedRoom } from './server/lifecycle/room-requests.ts';
export type { DeliveryReport } from './server/delivery/message-delivery.ts';
export type { ServerMetricsSnapshot } from './server/server-metrics.ts';
export type { WebSocketClientInfo } from './server/registry/websocket-client.ts';
export { UpgradeRejection } from './server/lifecycle/upgrade-gate.ts';
export type {
  ClientSession,
  HandshakeFn,
  HandshakeOutcome,
  InPlaceBinaryFrame,
  InboundTransformer,
  OutboundContext,
  OutboundTransformer,
  TransformedFrame,
} from './server/encryption-hooks.ts';
export { WebSocketServerHelper, type OutboundMessage } from './server/websocket-server-helper.ts';
export { loadOrCreateServerIdentity } from './server/server-identity-file.ts';
export { ConcurrencyLimiter } from './utils/concurrency-limiter.ts';
export { executePromiseWithLimit } from './utils/execute-promise-with-limit.ts';
export { NodeCryptoProvider } from './crypto/node-crypto-provider.ts';
export { PortableCryptoProvider } from './crypto/portable-crypto-provider.ts';
export { CryptoSizes, type CryptoProvider, type RawKeyPair } from './crypto/crypto-provider.ts';
export { SecurityLevel, parseSecurityLevels, isSecurityLevel } from './crypto/security-level.ts';
export { AeadSuite, isAeadSuite, SERVER_SUITE_PREFERENCE, CLIENT_SUITE_OFFER } from './crypto/aead-suite.ts';
export { InMemoryPinStore, checkPin, type PinStore, type PinOutcome } from './crypto/pin-store.ts';
export { identityFingerprint } from './crypto/identity-fingerprint.ts';
export { SecureChannel, Direction, FrameLayout, REKEY_DEFAULTS, type RekeyPolicy, type ChannelFailure } from './crypto/secure-channel.ts';
export { toBase64, fromBase64 } from './crypto/bytes.ts';
export { HANDSHAKE_FIELD, type ClientHelloWire, type ServerHelloWire } from './crypto/handshake-messages.ts';
export {
  createClientHello,
  sealHelloCredentials,
  completeClientHandshake,
  type ClientHandshakeFailure,
  type ClientHandshakeResult,
  type PendingClientHandshake,
  type ServerKeyTrust,
} from './crypto/client-handshake.ts';
export { respondToClientHello, type HandshakeRefusal, type ServerHandshakeParams } from './crypto/server-handshake.ts';
export {
  createSecureServerKit,
  SecureKitDefaults,
  type SecureServerKit,
  type SecureServerKitOptions,
} from './kit/secure-server-kit.ts';
export { SecureSession } from './kit/secure-session.ts';
export type { SecureKitMetricsSnapshot } from './kit/secure-kit-metrics.ts';
export { openCredentials, sealCredentials } from './crypto/sealed-credentials.ts';
export * from './client/index.ts';
export type { MessageBus, BusHandler } from './bus/message-bus.ts';
export { InProcessBus, InProcessBusHub } from './bus/in-process-bus.ts';
export { RedisBus, RedisBusDefaults, type RedisBusOptions, type RedisBusStats } from './bus/redis-bus.ts';
export { WebSocketEmitter, type WebSocketEmitterOptions } from './bus/websocket-emitter.ts';
export { BusDefaults } from './bus/bus-defaults.ts';
export { BusErrorCode } from './bus/bus-error-codes.ts';
export { UsageErrorCode } from './protocol/usage-error-codes.ts';
export { BusChannels, instanceOfClient } from './bus/bus-channels.ts';
export { EnvelopeCodec, type BusEnvelope, type BusTarget, type EnvelopeRejection } from './bus/bus-envelope.ts';
