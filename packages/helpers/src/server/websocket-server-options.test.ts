import type { Server } from 'node:http';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  InvalidOptionsError,
  SERVER_SETTINGS,
  SettingRules,
  WebSocketDefaults,
  resolveServerOptions,
  type WebSocketServerOptions,
} from './websocket-server-options.ts';
import { InProcessBus } from '../bus/in-process-bus.ts';
import type { MessageBus } from '../bus/message-bus.ts';
import { InMemoryPresenceStore } from './presence/in-memory-presence-store.ts';
import { InMemoryHistoryStore } from './history/in-memory-history-store.ts';
import { InMemoryDeliveryServiceStore } from './e2e/in-memory-delivery-service-store.ts';

const logger = pino({ level: 'silent' });
const base: WebSocketServerOptions = { server: {} as Server, authenticateFn: () => null };

/** The settings the table checks as positive integers. */
const POSITIVE_INTEGER_OPTIONS = Object.entries(SERVER_SETTINGS)
  .filter(([, spec]) => spec.rule === SettingRules.positiveInteger)
  .map(([name]) => name);

/** An in-process bus, and the same bus as one that reaches other processes (any bus not marked in-process does, as RedisBus). */
function twoBuses(): { local: InProcessBus; shared: MessageBus } {
  const local = new InProcessBus();
  const shared: MessageBus = {
    start: () => local.start(),
    publish: (channel, payload) => local.publish(channel, payload),
    subscribe: (channel, handler) => local.subscribe(channel, handler),
    unsubscribe: (channel) => local.unsubscribe(channel),
    close: () => local.close(),
  };
  return { local, shared };
}

describe('resolveServerOptions', () => {
  it.each(Object.entries(SERVER_SETTINGS))('fills %s from WebSocketDefaults when unset', (name, spec) => {
    const resolved = resolveServerOptions(base, logger) as unknown as Record<string, unknown>;
    expect(resolved[name]).toEqual((WebSocketDefaults as Record<string, unknown>)[spec.constant]);
  });

  it('keeps a value that is set', () => {
    expect(resolveServerOptions({ ...base, authTimeout: 1234, path: '/realtime' }, logger)).toMatchObject({ authTimeout: 1234, path: '/realtime' });
  });

  it('checks the limits that are positive integers, and only those, as such', () => {
    expect(POSITIVE_INTEGER_OPTIONS).toEqual(expect.arrayContaining(['authTimeout', 'maxPayloadBytes', 'maxTurnBytes', 'maxBusEnvelopeBytes']));
    expect(POSITIVE_INTEGER_OPTIONS).not.toContain('path');
  });

  it('refuses an unknown slowConsumerPolicy and a roomNamePattern that is not a RegExp', () => {
    expect(() => resolveServerOptions({ ...base, slowConsumerPolicy: 'ignore' as never }, logger)).toThrow(/slowConsumerPolicy/);
    expect(() => resolveServerOptions({ ...base, roomNamePattern: '[a-z]+' as never }, logger)).toThrow(/roomNamePattern/);
  });

  it.each(POSITIVE_INTEGER_OPTIONS.flatMap((name) => [0, -1, 1.5].map((value) => [name, value] as const)))(
    'refuses %s = %d',
    (name, value) => {
      expect(() => resolveServerOptions({ ...base, [name]: value }, logger)).toThrow(InvalidOptionsError);
    },
  );

  it('takes a writeDelayMs of 0 (off) and refuses a negative or fractional one', () => {
    expect(resolveServerOptions({ ...base, writeDelayMs: 0 }, logger).writeDelayMs).toBe(0);
    expect(() => resolveServerOptions({ ...base, writeDelayMs: -1 }, logger)).toThrow(/"writeDelayMs" must be a non-negative integer/);
    expect(() => resolveServerOptions({ ...base, writeDelayMs: 2.5 }, logger)).toThrow(InvalidOptionsError);
  });

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

  it('refuses room history on a bus without a store every instance shares', () => {
    const roomHistoryFn = () => true;
    const { local, shared } = twoBuses();
    const withBus = (bus: MessageBus) => ({ ...base, roomHistoryFn, bus, busSecret: 'secret' });
    expect(() => resolveServerOptions(withBus(local), logger)).toThrow(/needs a "historyStore"/);
    expect(() => resolveServerOptions({ ...withBus(shared), historyStore: new InMemoryHistoryStore() }, logger)).toThrow(/must reach every instance/);
    expect(() => resolveServerOptions({ ...withBus(local), historyStore: new InMemoryHistoryStore() }, logger)).not.toThrow();
  });

  it('refuses presence on a bus without a store every instance shares', () => {
    const roomPresenceFn = () => true;
    const { local, shared } = twoBuses();
    const withBus = (bus: MessageBus) => ({ ...base, roomPresenceFn, bus, busSecret: 'secret' });
    expect(() => resolveServerOptions(withBus(local), logger)).toThrow(/needs a "presenceStore"/);
    expect(() => resolveServerOptions({ ...withBus(shared), presenceStore: new InMemoryPresenceStore() }, logger)).toThrow(/must reach every instance/);
    expect(() => resolveServerOptions({ ...withBus(local), presenceStore: new InMemoryPresenceStore() }, logger)).not.toThrow();
  });

  it('refuses end-to-end rooms on a bus without a Delivery Service store every instance shares', () => {
    const endToEndRoomFn = () => true;
    const { local, shared } = twoBuses();
    const withBus = (bus: MessageBus) => ({ ...base, endToEndRoomFn, bus, busSecret: 'secret' });
    expect(() => resolveServerOptions(withBus(local), logger)).toThrow(/needs a "deliveryServiceStore"/);
    expect(() => resolveServerOptions({ ...withBus(shared), deliveryServiceStore: new InMemoryDeliveryServiceStore() }, logger)).toThrow(/must reach every instance/);
    expect(() => resolveServerOptions({ ...withBus(local), deliveryServiceStore: new InMemoryDeliveryServiceStore() }, logger)).not.toThrow();
  });
});
