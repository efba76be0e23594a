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
export { ConnectionState, IllegalTransitionError } from './server/connection-state.ts';
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
  SlowConsumerPolicy,
  InvalidOptionsError,
  type RateLimitOptions,
  type WebSocketServerOptions,
} from './server/websocket-server-options.ts';
export { RESERVED_ROOM_PREFIX, checkRoomName, type RoomNameRules } from './server/room-name-rules.ts';
export type { DeniedRoom } from './server/room-requests.ts';
export type { DeliveryReport } from './server/message-delivery.ts';
export type { ServerMetricsSnapshot } from './server/server-metrics.ts';
export type { WebSocketClientInfo } from './server/websocket-client.ts';
export { UpgradeRejection } from './server/upgrade-gate.ts';
export type { HandshakeFn, InboundTransformer, OutboundTransformer } from './server/encryption-hooks.ts';
export { WebSocketServerHelper, type OutboundMessage } from './server/websocket-server-helper.ts';
