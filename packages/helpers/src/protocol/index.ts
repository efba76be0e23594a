/**
 * `@sealed/helpers/protocol`: the wire protocol's pure pieces (the frame
 * codec, event names, close and error codes, the error family). No I/O, no
 * Node modules: usable in browsers and by independent implementations.
 */
export { CloseCode, closeCodeName, isSendableCloseCode } from './close-codes.ts';
export { ErrorCode } from './error-codes.ts';
export { UsageErrorCode } from './usage-error-codes.ts';
export { SealedError, type SealedErrorCode, type SealedErrorOptions } from './sealed-error.ts';
export { ClientEvent, ServerEvent, ReservedEvent, RESERVED_EVENT_PREFIX, isReservedEventName } from './event-names.ts';
export {
  decodeTextFrame,
  validateFrame,
  encodeFrame,
  readRoomsPayload,
  FRAME_LIMIT_DEFAULTS,
  type DecodeResult,
  type FrameLimits,
  type FrameExtras,
  type FrameSender,
  type ProtocolMessage,
} from './frame-codec.ts';
export { readRoomPosition, readSincePositions, type RoomPosition, type StreamPosition } from './room-position.ts';
export { readReply, replyWithError, replyWithResult, isErrorReply, isReplyId, type ReplyPayload, type ReplyError } from './request-reply.ts';
export type { EventMap, EventName, PayloadArgument, PayloadOf, ResultOf, WithReply } from './event-map.ts';
export type { PresenceChange, PresenceMember } from './presence.ts';
export {
  UpgradeSubprotocol,
  FIRST_FRAME_ENTRY_PREFIX,
  upgradeSubprotocolsFor,
  readUpgradeFrame,
  answeredSubprotocol,
  type UpgradeFrameResult,
} from './upgrade-frame.ts';
