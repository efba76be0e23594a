import { describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode, SealedError } from '../../src/index.ts';
import { TestClient, closeAfterEach } from '@sealed/test-support';
import { startTestServer, tokenAuthenticate, type TestServer } from '../support/test-server.ts';

const track = closeAfterEach();
let server: TestServer;

async function connect(user: string): Promise<TestClient> {
  return track(await TestClient.as(server.url, user));
}

/** A server whose messageHandler throws what `thrown` returns for the event, and echoes otherwise. */
async function serverThrowing(thrown: (event: string) => unknown): Promise<TestServer> {
  return startTestServer({
    messageHandler: async ({ clientId, event, data }) => {
      const error = thrown(event);
      if (error !== undefined) throw error;
      await server.helper.sendToClient({ clientId, event: 'echo', data });
    },
  });
}

describe('a SealedError thrown by messageHandler', () => {
  it('with a closeCode: answers its code and message, then closes with that code, and serves the others', async () => {
    server = track(await serverThrowing((event) =>
      event === 'spam' ? new SealedError('BANNED', 'You are banned', { closeCode: CloseCode.PROTOCOL_VIOLATION }) : undefined,
    ));
    const mallory = await connect('mallory');
    const alice = await connect('alice');
    mallory.send('spam');
    expect((await mallory.next('error')).data).toEqual({ code: 'BANNED', message: 'You are banned' });
    expect(await mallory.closed).toEqual({ code: CloseCode.PROTOCOL_VIOLATION, reason: 'PROTOCOL_VIOLATION' });
    alice.send('hello', 1);
    expect((await alice.next('echo')).data).toBe(1);
  });

  it('with an application close code in 4000-4999: closes with it', async () => {
    server = track(await serverThrowing(() => new SealedError('KICKED', 'Removed by a moderator', { closeCode: 4100 })));
    const bob = await connect('bob');
    bob.send('anything');
    expect((await bob.closed).code).toBe(4100);
  });

  it('with a close code no close frame may carry: closes with 1011 instead', async () => {
    server = track(await serverThrowing(() => new SealedError('ODD', 'Odd close code', { closeCode: 1005 })));
    const bob = await connect('bob');
    bob.send('anything');
    expect((await bob.closed).code).toBe(CloseCode.INTERNAL_ERROR);
  });

  it('without a closeCode: answers its code and keeps the connection open', async () => {
    server = track(await serverThrowing((event) => (event === 'bad' ? new SealedError('INVALID_CHAT', 'Say something') : undefined)));
    const bob = await connect('bob');
    bob.send('bad');
    expect((await bob.next('error')).data.code).toBe('INVALID_CHAT');
    bob.send('good', 2);
    expect((await bob.next('echo')).data).toBe(2);
  });
});

describe('a SealedError thrown by authenticateFn', () => {
  it('answers its code and message and closes with its closeCode', async () => {
    server = track(await startTestServer({
      authenticateFn: (context) => {
        if ((context.data as { token?: string }).token === 'locked') {
          throw new SealedError('ACCOUNT_LOCKED', 'This account is locked', { closeCode: 4101 });
        }
        return tokenAuthenticate(context);
      },
    }));
    const client = await TestClient.connect(server.url);
    client.send('authenticate', { token: 'locked' });
    expect((await client.next('error')).data).toEqual({ code: 'ACCOUNT_LOCKED', message: 'This account is locked' });
    expect((await client.closed).code).toBe(4101);
    expect(server.helper.getMetrics().authFailures).toBe(1);
  });

  it('without a closeCode closes with 4003 AUTH_FAILED', async () => {
    server = track(await startTestServer({
      authenticateFn: () => {
        throw new SealedError('ACCOUNT_LOCKED', 'This account is locked');
      },
    }));
    const client = await TestClient.connect(server.url);
    client.send('authenticate', { token: 'x' });
    expect((await client.next('error')).data.code).toBe('ACCOUNT_LOCKED');
    expect((await client.closed).code).toBe(CloseCode.AUTH_FAILED);
  });

  it('a plain Error still answers AUTH_FAILED, never its own message', async () => {
    server = track(await startTestServer({
      authenticateFn: () => {
        throw new Error('connection string postgres://secret');
      },
    }));
    const client = await TestClient.connect(server.url);
    client.send('authenticate', { token: 'x' });
    expect((await client.next('error')).data).toEqual({ code: ErrorCode.AUTH_FAILED, message: 'Authentication failed' });
    expect((await client.closed).code).toBe(CloseCode.AUTH_FAILED);
  });
});
