/**
 * `@sealed/helpers/crypto`: the handshake, the secure channel and the
 * primitives behind them, pure (bytes in, bytes out; no sockets, no clocks)
 * and browser-safe; the Node provider (libsodium) is `NodeCryptoProvider`
 * from `@sealed/helpers`. For independent clients and servers of the
 * protocol (docs/protocol.md, with its test vectors).
 */
export { PortableCryptoProvider } from './portable-crypto-provider.ts';
export { CryptoSizes, type CryptoProvider, type RawKeyPair } from './crypto-provider.ts';
export { SecurityLevel, parseSecurityLevels, isSecurityLevel } from './security-level.ts';
export { AeadSuite, isAeadSuite, SERVER_SUITE_PREFERENCE, CLIENT_SUITE_OFFER } from './aead-suite.ts';
export { InMemoryPinStore, checkPin, comparePin, type PinStore, type PinOutcome, type PinComparison } from './pin-store.ts';
export { identityFingerprint } from './identity-fingerprint.ts';
export { SecureChannel, Direction, FrameKind, FrameLayout, REKEY_DEFAULTS, type RekeyPolicy, type ChannelFailure, type OpenResult } from './secure-channel.ts';
export { toBase64, fromBase64 } from './bytes.ts';
export { HANDSHAKE_FIELD, type ClientHelloWire, type ServerHelloWire, type ResumedServerHelloWire, type ClientFinishWire } from './handshake-messages.ts';
export { HANDSHAKE_VERSION } from './handshake-transcript.ts';
export {
  createClientHello,
  answerServerHello,
  type ClientHandshakeFailure,
  type ClientHandshakeResult,
  type PendingClientHandshake,
  type ServerKeyTrust,
} from './client-handshake.ts';
export {
  respondToClientHello,
  finishServerHandshake,
  abandonServerHandshake,
  type HandshakeRefusal,
  type ServerHelloParams,
  type ServerHelloResult,
  type ClientFinishParams,
  type PendingServerHandshake,
  type ServerHandshakeResult,
} from './server-handshake.ts';
export { InMemoryReplayStore, type ReplayStore, type ReplayClaim } from './replay-store.ts';
export { readTicket, answerResumedServerHello, type HeldTicket, type TicketWire } from './client-resumption.ts';
export {
  respondToResumption,
  finishResumption,
  abandonResumption,
  type TicketRefusal,
  type ResumptionHelloParams,
  type PendingResumption,
  type ResumptionResult,
} from './server-resumption.ts';
export { TicketSealer, TICKET_FORMAT, TICKET_ID_BYTES, type TicketContents } from './resumption-ticket.ts';
export { WeakSharedSecretError, ticketSecret } from './key-schedule.ts';
