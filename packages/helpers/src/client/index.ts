/**
 * The browser-safe entry point: the client SDK and the pure protocol and
 * crypto pieces it needs. Nothing here imports Node modules.
 */
export { SealedClient } from './sealed-client.ts';
export type {
  ConnectionInfo,
  EventMap,
  JoinResult,
  LeaveResult,
  RejoinResult,
  RequestHandler,
  RequestOptions,
  SealedClientOptions,
} from './sealed-client-options.ts';
export { ClientFailureCode, SealedClientError } from './sealed-client-error.ts';
export { ClientLifecycleEvent, type ClientLifecycleEvents, type RoomDeviceInfo } from './client-lifecycle-event.ts';
export { END_TO_END_DEFAULTS } from './end-to-end/end-to-end-defaults.ts';
export type { GroupStateStore } from './end-to-end/kept-group-states.ts';
export type { RoomDevice } from '../protocol/end-to-end.ts';
export { SealedClientState } from './client-state.ts';
export { SEALED_CLIENT_DEFAULTS } from './sealed-client-defaults.ts';
export { SealedError } from '../protocol/sealed-error.ts';
export type { PresenceChange, PresenceMember } from '../protocol/presence.ts';
export type { EventName, PayloadArgument, PayloadOf, ResultOf, WithReply } from '../protocol/event-map.ts';
export { RECONNECT_DEFAULTS, reconnectDelay, type ReconnectPolicy } from './reconnect-policy.ts';
export type { WebSocketConstructor, WebSocketLike } from './websocket-like.ts';
export { PortableCryptoProvider } from '../crypto/portable-crypto-provider.ts';
export type { CryptoProvider, RawKeyPair } from '../crypto/crypto-provider.ts';
export { InMemoryPinStore, type PinStore } from '../crypto/pin-store.ts';
export { SecurityLevel } from '../crypto/security-level.ts';
export { AeadSuite } from '../crypto/aead-suite.ts';
export { toBase64, fromBase64 } from '../crypto/bytes.ts';
export { identityFingerprint } from '../crypto/identity-fingerprint.ts';
export { CloseCode } from '../protocol/close-codes.ts';
export { ErrorCode } from '../protocol/error-codes.ts';
export { ServerEvent } from '../protocol/event-names.ts';
