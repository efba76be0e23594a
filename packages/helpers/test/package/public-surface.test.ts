import { describe, expect, it } from 'vitest';
import * as main from '../../src/index.ts';
import * as client from '../../src/client/index.ts';
import * as crypto from '../../src/crypto/index.ts';
import * as protocol from '../../src/protocol/index.ts';

/**
 * The runtime names each entry point exports: the public API, on purpose.
 * A name added or removed here is a change to what users import.
 */
describe('the public surface of @sealed/helpers', () => {
  it('@sealed/helpers exports the server, the kit, the bus, errors and codes, and no internals', () => {
    expect(Object.keys(main).sort()).toEqual([
      'AeadSuite',
      'BusDefaults',
      'BusErrorCode',
      'CloseCode',
      'ConnectionState',
      'DEVICE_DEFAULTS',
      'ErrorCode',
      'InMemoryDeliveryServiceStore',
      'InMemoryHistoryStore',
      'InMemoryPinStore',
      'InMemoryPresenceStore',
      'InMemoryReplayStore',
      'InProcessBus',
      'InProcessBusHub',
      'InvalidOptionsError',
      'MLS_CIPHER_SUITE',
      'NodeCryptoProvider',
      'PROMETHEUS_DEFAULTS',
      'PrometheusMetrics',
      'REKEY_DEFAULTS',
      'RESERVED_ROOM_PREFIX',
      'RESUMPTION_DEFAULTS',
      'RedisBus',
      'RedisBusDefaults',
      'RedisDeliveryServiceStore',
      'RedisDeliveryServiceStoreDefaults',
      'RedisHistoryStore',
      'RedisHistoryStoreDefaults',
      'RedisPresenceStore',
      'RedisPresenceStoreDefaults',
      'RedisReplayStore',
      'RedisReplayStoreDefaults',
      'SERVER_SETTINGS',
      'SealedError',
      'SecureKitDefaults',
      'SecureSession',
      'SecurityLevel',
      'SlowConsumerPolicy',
      'UpgradeRejection',
      'UsageErrorCode',
      'WebSocketDefaults',
      'WebSocketEmitter',
      'WebSocketServerHelper',
      'WriteCoalescing',
      'closeCodeName',
      'createDefaultLogger',
      'createSecureServerKit',
      'executePromiseWithLimit',
      'loadOrCreateServerIdentity',
      'parseSecurityLevels',
    ]);
  });

  it('@sealed/helpers/client exports the SDK and what it needs', () => {
    expect(Object.keys(client).sort()).toEqual([
      'AeadSuite',
      'ClientFailureCode',
      'ClientLifecycleEvent',
      'CloseCode',
      'END_TO_END_DEFAULTS',
      'ErrorCode',
      'InMemoryPinStore',
      'PortableCryptoProvider',
      'RECONNECT_DEFAULTS',
      'SEALED_CLIENT_DEFAULTS',
      'SealedClient',
      'SealedClientError',
      'SealedClientState',
      'SealedError',
      'SecurityLevel',
      'ServerEvent',
      'fromBase64',
      'identityFingerprint',
      'reconnectDelay',
      'toBase64',
    ]);
  });

  it('@sealed/helpers/crypto exports the handshake, the channel and the portable primitives', () => {
    expect(Object.keys(crypto).sort()).toEqual([
      'AeadSuite',
      'CLIENT_SUITE_OFFER',
      'CryptoSizes',
      'Direction',
      'FrameKind',
      'FrameLayout',
      'HANDSHAKE_FIELD',
      'HANDSHAKE_VERSION',
      'InMemoryPinStore',
      'InMemoryReplayStore',
      'PortableCryptoProvider',
      'REKEY_DEFAULTS',
      'SERVER_SUITE_PREFERENCE',
      'SecureChannel',
      'SecurityLevel',
      'TICKET_FORMAT',
      'TICKET_ID_BYTES',
      'TicketSealer',
      'WeakSharedSecretError',
      'abandonResumption',
      'abandonServerHandshake',
      'answerResumedServerHello',
      'answerServerHello',
      'checkPin',
      'comparePin',
      'createClientHello',
      'finishResumption',
      'finishServerHandshake',
      'fromBase64',
      'identityFingerprint',
      'isAeadSuite',
      'isSecurityLevel',
      'parseSecurityLevels',
      'readTicket',
      'respondToClientHello',
      'respondToResumption',
      'ticketSecret',
      'toBase64',
    ]);
  });

  it('@sealed/helpers/protocol exports the codec, event names and codes', () => {
    expect(Object.keys(protocol).sort()).toEqual([
      'ClientEvent',
      'CloseCode',
      'ErrorCode',
      'FIRST_FRAME_ENTRY_PREFIX',
      'FRAME_LIMIT_DEFAULTS',
      'RESERVED_EVENT_PREFIX',
      'ReservedEvent',
      'SealedError',
      'ServerEvent',
      'UpgradeSubprotocol',
      'UsageErrorCode',
      'answeredSubprotocol',
      'closeCodeName',
      'decodeTextFrame',
      'encodeFrame',
      'isErrorReply',
      'isReplyId',
      'isReservedEventName',
      'isSendableCloseCode',
      'readReply',
      'readRoomPosition',
      'readRoomsPayload',
      'readSincePositions',
      'readUpgradeFrame',
      'replyWithError',
      'replyWithResult',
      'upgradeSubprotocolsFor',
      'validateFrame',
    ]);
  });

  it('keeps internals out of every entry', () => {
    const everything = new Set([...Object.keys(main), ...Object.keys(client), ...Object.keys(crypto), ...Object.keys(protocol)]);
    for (const internal of ['SerialTaskQueue', 'TokenRate', 'ConcurrencyLimiter', 'EnvelopeCodec', 'BusChannels', 'TurnWriter', 'componentLogger']) {
      expect(everything.has(internal)).toBe(false);
    }
  });
});
