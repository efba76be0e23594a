import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClient } from '@sealed/test-support';
import { ClientFailureCode, ClientLifecycleEvent, type SealedClient, type WebSocketConstructor } from '../../src/client/index.ts';
import { ErrorCode, SealedError, UsageErrorCode, type MessageHandler, type WebSocketServerOptions } from '../../src/index.ts';
import { sdkClient, startSecureServer, type SecureTestServer } from '../support/secure-test-server.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer | SecureTestServer | undefined;
const clients: SealedClient[] = [];
const rawClients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const client of rawClients.splice(0)) await client.close();
  await server?.close();
  server = undefined;
});

/** Long enough for a reply on loopback, short enough to keep the suite fast. */
const SHORT_TIMEOUT_MS = 150;
const FAST_RECONNECT = { enabled: true, initialDelayMs: 20, maxDelayMs: 20, jitter: 0 };

/** What the handlers of these tests answer. */
const answeringHandler: MessageHandler = async ({ userId, event, data, expectsReply }) => {
  switch (event) {
    case 'sum':
      return (data as number[]).reduce((total, n) => total + n, 0);
    case 'whoami':
      return { userId, expectsReply };
    case 'refuse':
      throw new SealedError('OUT_OF_STOCK', 'No item left');
    case 'crash':
      throw new Error('internal detail that must not reach the client');
    case 'hang':
      return new Promise(() => undefined);
    case 'bigint':
      return 1n;
    default:
      return undefined;
  }
};

/** The answering handler, recording each event it is handed. */
function recordingHandler(handled: string[]): MessageHandler {
  return (context) => {
    handled.push(context.event);
    return answeringHandler(context);
  };
}

/** An encrypted server with `messageHandler`, and an SDK client of alice on it. */
async function encryptedPair(
  serverOptions: Partial<WebSocketServerOptions> = {},
  clientOptions: Parameters<typeof sdkClient>[2] = {},
): Promise<{ client: SealedClient; clientId: string; secure: SecureTestServer }> {
  const secure = await startSecureServer({ server: { messageHandler: answeringHandler, ...serverOptions } });
  server = secure;
  const client = sdkClient(secure.url, 'alice', clientOptions);
  clients.push(client);
  const info = await client.connect();
  expect(info.level).toBe('encrypted');
  return { client, clientId: info.clientId, secure };
}

/** A `ws` WebSocket class whose sockets a test can cut, as a network drop does. */
function cuttableWebSocket(): { WebSocket: WebSocketConstructor; sockets: WebSocket[] } {
  const sockets: WebSocket[] = [];
  class CuttableWebSocket extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return { WebSocket: CuttableWebSocket, sockets };
}

async function failureOf(promise: Promise<unknown>): Promise<SealedError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`Expected a rejection, got ${JSON.stringify(outcome.value)}`);
  expect(SealedError.is(outcome.error)).toBe(true);
  return outcome.error as SealedError;
}

describe('client to server requests', () => {
  it('resolve with what messageHandler returns, encrypted like every frame', async () => {
    const { client } = await encryptedPair();
    await expect(client.request('sum', [1, 2, 39])).resolves.toBe(42);
    await expect(client.request('whoami')).resolves.toEqual({ userId: 'alice', expectsReply: true });
    await expect(client.request('nothing')).resolves.toBeUndefined();
  });

  it('reject with the code and message of a SealedError the handler threw, and the connection goes on', async () => {
    const { client, secure } = await encryptedPair();
    const errors: unknown[] = [];
    client.on('error', (error) => void errors.push(error));
    const failure = await failureOf(client.request('refuse'));
    expect([failure.code, failure.message]).toEqual(['OUT_OF_STOCK', 'No item left']);
    await expect(client.request('sum', [2, 3])).resolves.toBe(5);
    expect(errors).toEqual([]);
    expect(secure.helper.getMetrics().requestsAnswered).toBe(2);
  });

  it('reject with HANDLER_FAILED, and nothing of the internal error, when the handler fails otherwise', async () => {
    const { client, secure } = await encryptedPair();
    for (const event of ['crash', 'bigint']) {
      const failure = await failureOf(client.request(event));
      expect(failure.code).toBe(ErrorCode.HANDLER_FAILED);
      expect(failure.message).not.toMatch(/internal detail|BigInt/);
    }
    expect(secure.helper.getMetrics().handlerErrors).toBe(2);
  });

  it('reject with NO_HANDLER when the server has no messageHandler', async () => {
    const { client } = await encryptedPair({ messageHandler: undefined });
    expect((await failureOf(client.request('sum', [1]))).code).toBe(ErrorCode.NO_HANDLER);
  });

  it('reject with REQUEST_TIMEOUT when no reply comes in time', async () => {
    const { client } = await encryptedPair();
    const failure = await failureOf(client.request('hang', undefined, { timeoutMs: SHORT_TIMEOUT_MS }));
    expect(failure.code).toBe(ClientFailureCode.REQUEST_TIMEOUT);
  });

  it('refuse a request past maxPendingRequests at once, without sending it', async () => {
    const handled: string[] = [];
    const { client } = await encryptedPair(
      { messageHandler: recordingHandler(handled) },
      { maxPendingRequests: 2 },
    );
    const waiting = [client.request('hang'), client.request('hang')].map((reply) => reply.catch(() => undefined));
    expect((await failureOf(client.request('sum', [1]))).code).toBe(ClientFailureCode.TOO_MANY_PENDING_REQUESTS);
    await expect.poll(() => handled).toEqual(['hang']);
    client.close();
    await Promise.all(waiting);
    expect(handled).toEqual(['hang']);
  });

  it('reject with DISCONNECTED when the connection goes after the request was sent', async () => {
    const network = cuttableWebSocket();
    const handled: string[] = [];
    const { client } = await encryptedPair(
      { messageHandler: recordingHandler(handled) },
      { WebSocket: network.WebSocket, reconnect: FAST_RECONNECT },
    );
    const reply = client.request('hang');
    await expect.poll(() => handled).toEqual(['hang']);
    network.sockets[0]!.terminate();
    expect((await failureOf(reply)).code).toBe(ClientFailureCode.DISCONNECTED);
  });

  it('made while the client reconnects are sent once it is back, and answered', async () => {
    const network = cuttableWebSocket();
    const { client } = await encryptedPair({}, { WebSocket: network.WebSocket, reconnect: FAST_RECONNECT });
    const reconnecting = new Promise((resolve) => client.on(ClientLifecycleEvent.RECONNECTING, resolve));
    network.sockets[0]!.terminate();
    await reconnecting;
    await expect(client.request('sum', [20, 22])).resolves.toBe(42);
    expect(network.sockets).toHaveLength(2);
  });

  it('carry the ack id on the wire: the reply names it, and a protocol event may not', async () => {
    server = await startTestServer({ messageHandler: answeringHandler });
    const raw = await TestClient.as(server.url, 'alice');
    rawClients.push(raw);
    raw.sendRaw(JSON.stringify({ event: 'sum', data: [1, 2], ack: 5 }));
    expect(await raw.next('sealed:reply')).toEqual({ event: 'sealed:reply', data: { result: 3 }, ack: 5 });
    raw.sendRaw(JSON.stringify({ event: 'refuse', ack: 6 }));
    expect(await raw.next('sealed:reply')).toEqual({ event: 'sealed:reply', data: { error: { code: 'OUT_OF_STOCK', message: 'No item left' } }, ack: 6 });
    raw.sendRaw(JSON.stringify({ event: 'join', data: { rooms: ['a'] }, ack: 7 }));
    expect((await raw.next('error')).data.code).toBe(ErrorCode.INVALID_ACK);
    raw.sendRaw(JSON.stringify({ event: 'sealed:reply', data: { result: 1 } }));
    expect((await raw.next('error')).data.code).toBe(ErrorCode.INVALID_ACK);
    raw.sendRaw(JSON.stringify({ event: 'sum', data: [1], ack: 0 }));
    expect((await raw.next('error')).data.code).toBe(ErrorCode.INVALID_FRAME);
    expect(raw.all('joined')).toEqual([]);
  });
});

describe('server to client requests', () => {
  it('resolve with what the client request handler returns', async () => {
    const { client, clientId, secure } = await encryptedPair();
    client.onRequest('locate', (data: { precise: boolean }) => ({ city: 'Lyon', precise: data.precise }));
    await expect(secure.helper.request({ clientId, event: 'locate', data: { precise: true } })).resolves.toEqual({ city: 'Lyon', precise: true });
    client.onRequest('later', async () => 'done');
    await expect(secure.helper.request({ clientId, event: 'later' })).resolves.toBe('done');
  });

  it('reject with the code of a SealedError the client threw, and with HANDLER_FAILED for anything else, reported to the client', async () => {
    const { client, clientId, secure } = await encryptedPair();
    const reported: Array<{ code: string; event?: string }> = [];
    client.on(ClientLifecycleEvent.ERROR, (problem: { code: string; event?: string }) => void reported.push(problem));
    client.onRequest('pay', () => {
      throw new SealedError('DECLINED', 'The card was declined');
    });
    client.onRequest('crash', () => {
      throw new Error('client internals');
    });
    const declined = await failureOf(secure.helper.request({ clientId, event: 'pay' }));
    expect([declined.code, declined.message]).toEqual(['DECLINED', 'The card was declined']);
    const crashed = await failureOf(secure.helper.request({ clientId, event: 'crash' }));
    expect(crashed.code).toBe(ErrorCode.HANDLER_FAILED);
    expect(crashed.message).not.toMatch(/internals/);
    expect(reported).toEqual([expect.objectContaining({ code: ClientFailureCode.LISTENER_FAILED, event: 'crash' })]);
  });

  it('reject with NO_HANDLER for an event the client does not answer, and stop answering once the handler is removed', async () => {
    const { client, clientId, secure } = await encryptedPair();
    expect((await failureOf(secure.helper.request({ clientId, event: 'unknown' }))).code).toBe(ErrorCode.NO_HANDLER);
    const remove = client.onRequest('ping', () => 'pong');
    await expect(secure.helper.request({ clientId, event: 'ping' })).resolves.toBe('pong');
    remove();
    expect((await failureOf(secure.helper.request({ clientId, event: 'ping' }))).code).toBe(ErrorCode.NO_HANDLER);
  });

  it('reject with REQUEST_TIMEOUT, counted, and a late reply is dropped and counted', async () => {
    const { client, clientId, secure } = await encryptedPair();
    let answer: (value: string) => void = () => undefined;
    client.onRequest('slow', () => new Promise<string>((resolve) => (answer = resolve)));
    const failure = await failureOf(secure.helper.request({ clientId, event: 'slow', timeoutMs: SHORT_TIMEOUT_MS }));
    expect(failure.code).toBe(UsageErrorCode.REQUEST_TIMEOUT);
    answer('too late');
    await expect.poll(() => secure.helper.getMetrics().repliesUnmatched).toBe(1);
    expect(secure.helper.getMetrics().requestTimeouts).toBe(1);
    client.onRequest('ping', () => 'pong');
    await expect(secure.helper.request({ clientId, event: 'ping' })).resolves.toBe('pong');
  });

  it('refuse a request past maxPendingRequestsPerClient at once', async () => {
    const { client, clientId, secure } = await encryptedPair({ maxPendingRequestsPerClient: 1 });
    let requests = 0;
    client.onRequest('slow', () => {
      requests += 1;
      return new Promise(() => undefined);
    });
    const first = secure.helper.request({ clientId, event: 'slow' }).catch((error: unknown) => error);
    expect((await failureOf(secure.helper.request({ clientId, event: 'slow' }))).code).toBe(UsageErrorCode.TOO_MANY_PENDING_REQUESTS);
    await expect.poll(() => requests).toBe(1);
    client.close();
    expect(await first).toMatchObject({ code: UsageErrorCode.DISCONNECTED });
    expect(requests).toBe(1);
  });

  it('reject with DISCONNECTED when the client goes before it replies', async () => {
    const { client, clientId, secure } = await encryptedPair();
    client.onRequest('slow', () => new Promise(() => undefined));
    const reply = secure.helper.request({ clientId, event: 'slow' });
    client.close();
    expect((await failureOf(reply)).code).toBe(UsageErrorCode.DISCONNECTED);
  });

  it('reject CLIENT_NOT_FOUND for a client not open here, RESERVED_EVENT_NAME for a protocol event and INVALID_OPTIONS for a bad timeout', async () => {
    const { clientId, secure } = await encryptedPair();
    expect((await failureOf(secure.helper.request({ clientId: 'elsewhere.1', event: 'ping' }))).code).toBe(UsageErrorCode.CLIENT_NOT_FOUND);
    expect((await failureOf(secure.helper.request({ clientId, event: 'joined' }))).code).toBe(UsageErrorCode.RESERVED_EVENT_NAME);
    expect((await failureOf(secure.helper.request({ clientId, event: 'ping', timeoutMs: 0 }))).code).toBe(UsageErrorCode.INVALID_OPTIONS);
  });

  it('carry the ack id on the wire, and take the reply of a plaintext client', async () => {
    server = await startTestServer();
    const raw = await TestClient.as(server.url, 'alice');
    rawClients.push(raw);
    const reply = server.helper.request({ clientId: raw.id!, event: 'locate', data: { precise: false } });
    const request = await raw.next('locate');
    expect(request).toEqual({ event: 'locate', data: { precise: false }, ack: 1 });
    raw.sendRaw(JSON.stringify({ event: 'sealed:reply', data: { result: 'Lyon' }, ack: request.ack }));
    await expect(reply).resolves.toBe('Lyon');
  });
});
