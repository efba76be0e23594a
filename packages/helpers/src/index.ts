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
export { SealedError, type SealedErrorOptions } from './protocol/sealed-error.ts';
