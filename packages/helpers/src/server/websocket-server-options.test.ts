import type { Server } from 'node:http';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  InvalidOptionsError,
  WebSocketDefaults,
  resolveServerOptions,
  type WebSocketServerOptions,
} from './websocket-server-options.ts';

const logger = pino({ level: 'silent' });
const base: WebSocketServerOptions = { server: {} as Server, authenticateFn: () => null };

const POSITIVE_INTEGER_OPTIONS = [
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
] as const;

describe('resolveServerOptions', () => {
  it('fills every default from WebSocketDefaults', () => {
    const resolved = resolveServerOptions(base, logger);
    expect(resolved).toMatchObject({
      path: WebSocketDefaults.PATH,
      maxTurnBytes: WebSocketDefaults.MAX_TURN_BYTES,
      maxBufferedBytes: WebSocketDefaults.MAX_BUFFERED_BYTES,
      encryptedBatchLimit: WebSocketDefaults.ENCRYPTED_BATCH_LIMIT,
    });
  });

  it.each(POSITIVE_INTEGER_OPTIONS.flatMap((name) => [0, -1, 1.5].map((value) => [name, value] as const)))(
    'refuses %s = %d',
    (name, value) => {
      expect(() => resolveServerOptions({ ...base, [name]: value }, logger)).toThrow(InvalidOptionsError);
    },
  );

  it('refuses a missing server or authenticateFn', () => {
    expect(() => resolveServerOptions({ ...base, server: undefined as unknown as Server }, logger)).toThrow(/"server"/);
    expect(() => resolveServerOptions({ ...base, authenticateFn: undefined as never }, logger)).toThrow(/"authenticateFn"/);
  });

  it('refuses requireEncryption without a handshakeFn, a path without a leading slash, and an unusable instanceId', () => {
    expect(() => resolveServerOptions({ ...base, requireEncryption: true }, logger)).toThrow(/handshakeFn/);
    expect(() => resolveServerOptions({ ...base, path: 'ws' }, logger)).toThrow(/"path"/);
    expect(() => resolveServerOptions({ ...base, instanceId: 'has a space' }, logger)).toThrow(/"instanceId"/);
  });

  it('refuses a rate limit without a positive rate and a burst of at least one', () => {
    expect(() => resolveServerOptions({ ...base, rateLimit: { messagesPerSecond: 0, burst: 10 } }, logger)).toThrow(/rateLimit/);
    expect(() => resolveServerOptions({ ...base, rateLimit: { messagesPerSecond: 10, burst: 0 } }, logger)).toThrow(/rateLimit/);
  });
});
