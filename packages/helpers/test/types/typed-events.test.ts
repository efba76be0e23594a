import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { ConnectionInfo, SealedClient } from '../../src/client/index.ts';
import type { DeliveryReport, MessageHandler, WebSocketServerHelper, WithReply } from '../../src/index.ts';
import { sdkClient, startSecureServer, type SecureTestServer } from '../support/secure-test-server.ts';

/**
 * One description of the application's events, shared by server and client.
 * The type checks below run in `pnpm typecheck` (part of `pnpm test`): a
 * wrong payload that compiled would leave an `@ts-expect-error` unused, and
 * an `expectTypeOf` that no longer holds fails to compile.
 */
type ClientToServer = {
  chat: { room: string; text: string };
  'cart-total': WithReply<{ cart: string }, number>;
};
type ServerToClient = {
  chat: { room: string; from: string; text: string };
  locate: WithReply<{ precise: boolean }, { city: string }>;
};

const CART_TOTALS: Record<string, number> = { c1: 42 };

const handler: MessageHandler<ClientToServer> = ({ event, data, userId }) => {
  switch (event) {
    case 'chat':
      expectTypeOf(data).toEqualTypeOf<{ room: string; text: string }>();
      return undefined;
    case 'cart-total':
      expectTypeOf(data).toEqualTypeOf<{ cart: string }>();
      return CART_TOTALS[data.cart] ?? userId.length;
  }
};

let server: SecureTestServer | undefined;
let client: SealedClient<ServerToClient, ClientToServer> | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
  server = undefined;
});

async function typedPair() {
  server = await startSecureServer({ server: { messageHandler: handler } });
  const helper = server.helper as WebSocketServerHelper<ClientToServer, ServerToClient>;
  client = sdkClient(server.url, 'alice') as SealedClient<ServerToClient, ClientToServer>;
  const info = await client.connect();
  return { helper, client, clientId: info.clientId };
}

describe('an event map shared by server and client', () => {
  it('types the client request and its result, and the server handler answers it', async () => {
    const pair = await typedPair();
    const total = pair.client.request('cart-total', { cart: 'c1' });
    expectTypeOf(total).resolves.toEqualTypeOf<number>();
    await expect(total).resolves.toBe(42);
  });

  it('types the server request and its result, and the client handler answers it', async () => {
    const pair = await typedPair();
    pair.client.onRequest('locate', (data) => {
      expectTypeOf(data).toEqualTypeOf<{ precise: boolean }>();
      return { city: data.precise ? 'Lyon 2e' : 'Lyon' };
    });
    const where = pair.helper.request({ clientId: pair.clientId, event: 'locate', data: { precise: true } });
    expectTypeOf(where).resolves.toEqualTypeOf<{ city: string }>();
    await expect(where).resolves.toEqual({ city: 'Lyon 2e' });
  });

  it('types room sends and the listeners that receive them', async () => {
    const pair = await typedPair();
    await pair.client.join(['lobby']);
    const heard = new Promise<ServerToClient['chat']>((resolve) =>
      pair.client.on('chat', (message) => {
        expectTypeOf(message).toEqualTypeOf<ServerToClient['chat']>();
        resolve(message);
      }),
    );
    const report = pair.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { room: 'lobby', from: 'bob', text: 'hi' } });
    expectTypeOf(report).resolves.toEqualTypeOf<DeliveryReport>();
    await expect(heard).resolves.toEqual({ room: 'lobby', from: 'bob', text: 'hi' });
  });

  it('keeps the lifecycle events typed next to the application ones', () => {
    expectTypeOf<Parameters<SealedClient<ServerToClient, ClientToServer>['connect']>>().toEqualTypeOf<[]>();
    const listen = (typed: SealedClient<ServerToClient, ClientToServer>) =>
      typed.on('sealed:open', (info) => expectTypeOf(info).toEqualTypeOf<ConnectionInfo>());
    expect(typeof listen).toBe('function');
  });

  it('refuses, at compile time, payloads and results the map does not allow', () => {
    // Never called: each line is checked by the compiler only.
    const wrongUses = (typed: SealedClient<ServerToClient, ClientToServer>, helper: WebSocketServerHelper<ClientToServer, ServerToClient>) => {
      // @ts-expect-error: text must be a string
      void typed.emit('chat', { room: 'lobby', text: 1 });
      // @ts-expect-error: the map has no such event
      void typed.emit('shout', { text: 'hi' });
      // @ts-expect-error: a chat needs its data
      void typed.emit('chat');
      // @ts-expect-error: cart must be a string
      void typed.request('cart-total', { cart: 7 });
      // @ts-expect-error: the reply carries a number
      void typed.request('cart-total', { cart: 'c1' }).then((total: string) => total);
      // @ts-expect-error: the server expects { city: string } back
      typed.onRequest('locate', () => ({ town: 'Lyon' }));
      // @ts-expect-error: a chat listener gets the chat payload
      typed.on('chat', (message: { n: number }) => message);
      // @ts-expect-error: from is missing
      void helper.sendToRoom({ room: 'lobby', event: 'chat', data: { room: 'lobby', text: 'hi' } });
      // @ts-expect-error: the map has no such server event
      void helper.broadcast({ event: 'shout', data: 'hi' });
      // @ts-expect-error: precise must be a boolean
      void helper.request({ clientId: 'c', event: 'locate', data: { precise: 'yes' } });
    };
    const wrongHandler: MessageHandler<ClientToServer> = ({ event, data }) => {
      // @ts-expect-error: a chat's data has no cart
      if (event === 'chat') return data.cart;
      return undefined;
    };
    expect([typeof wrongUses, typeof wrongHandler]).toEqual(['function', 'function']);
  });
});
