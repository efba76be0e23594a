import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { closeAfterEach } from '@sealed/test-support';
import { CloseCode, SecurityLevel } from '../../src/index.ts';
import { ClientFailureCode, ClientLifecycleEvent, type SealedClientError, type WebSocketConstructor } from '../../src/client/index.ts';
import { UpgradeSubprotocol, readUpgradeFrame } from '../../src/protocol/index.ts';
import { sdkClient, startSecureServer, type SecureTestServer } from '../support/secure-test-server.ts';

/**
 * The SDK carries its `authenticate` frame in the upgrade request when it is
 * small enough, and sends it as a frame when the server did not take it.
 */
const track = closeAfterEach();
let server: SecureTestServer;

/** Far more than any frame these tests carry. */
const READ_LIMIT_BYTES = 64 * 1024;

/** A `ws` WebSocket class that notes the event of each text frame it sends (`binary` for protected ones) and the subprotocol each socket got. */
function recordingWebSocket(): { WebSocket: WebSocketConstructor; sent: string[]; answered: string[] } {
  const sent: string[] = [];
  const answered: string[] = [];
  class RecordingWebSocket extends WebSocket {
    constructor(url: string, protocols?: string[]) {
      super(url, protocols);
      this.on('open', () => answered.push(this.protocol));
    }

    override send(data: unknown): void {
      sent.push(typeof data === 'string' ? (JSON.parse(data) as { event: string }).event : 'binary');
      super.send(data as string);
    }
  }
  return { WebSocket: RecordingWebSocket as unknown as WebSocketConstructor, sent, answered };
}

/** What a stand-in server saw of one connection: its upgrade's subprotocols and the events of the frames it read. */
interface SeenConnection {
  protocols: string | undefined;
  events: string[];
}

/**
 * A plain `ws` server speaking the protocol at level `none` as a server
 * that predates the first frame in the upgrade: it answers the first
 * subprotocol offered (`ws`'s default), or none, and opens a connection on
 * its `authenticate` frame.
 */
async function olderServer(answer: 'first' | 'none' = 'first'): Promise<{ url: string; seen: SeenConnection[]; close: () => Promise<void> }> {
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http, path: '/ws', ...(answer === 'none' ? { handleProtocols: () => false as const } : {}) });
  const seen: SeenConnection[] = [];
  wss.on('connection', (socket, request: IncomingMessage) => {
    const connection: SeenConnection = { protocols: request.headers['sec-websocket-protocol'], events: [] };
    seen.push(connection);
    socket.on('message', (data) => {
      const { event, data: credentials } = JSON.parse(String(data)) as { event: string; data: { token: string } };
      connection.events.push(event);
      if (event === 'authenticate') socket.send(JSON.stringify({ event: 'connected', data: { id: 'c1', userId: credentials.token, time: Date.now() } }));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    seen,
    close: async () => {
      for (const socket of wss.clients) socket.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

describe.each([SecurityLevel.NONE, SecurityLevel.ENCRYPTED])('the SDK at level %s', (level) => {
  it('carries authenticate in the upgrade: the server takes it, and no authenticate frame is sent', async () => {
    server = track(await startSecureServer({ acceptedLevels: [SecurityLevel.NONE, SecurityLevel.ENCRYPTED] }));
    const recording = recordingWebSocket();
    const client = track(sdkClient(server.url, 'alice', { level, WebSocket: recording.WebSocket }));
    const info = await client.connect();
    expect(info.userId).toBe('alice');
    expect(recording.answered).toEqual([UpgradeSubprotocol.FIRST_FRAME_TAKEN]);
    expect(recording.sent).not.toContain('authenticate');
    // Above level none the finish still goes as a frame: it carries the credentials, sealed.
    if (level !== SecurityLevel.NONE) expect(recording.sent[0]).toBe('sealed:finish');
  });

  it('sends authenticate as a frame when it is larger than maxUpgradeFrameBytes', async () => {
    server = track(await startSecureServer({ acceptedLevels: [SecurityLevel.NONE, SecurityLevel.ENCRYPTED] }));
    const recording = recordingWebSocket();
    const client = track(sdkClient(server.url, 'alice', { level, WebSocket: recording.WebSocket, maxUpgradeFrameBytes: 16 }));
    expect((await client.connect()).userId).toBe('alice');
    expect(recording.answered).toEqual(['']);
    expect(recording.sent[0]).toBe('authenticate');
  });
});

describe('the SDK and the upgrade', () => {
  it('sends authenticate as a frame to a server that answers another subprotocol', async () => {
    const older = track(await olderServer());
    const client = track(sdkClient(older.url, 'alice', { level: SecurityLevel.NONE }));
    expect((await client.connect()).userId).toBe('alice');
    expect(older.seen).toHaveLength(1);
    // The server was offered the frame, did not take it, and got it as a frame.
    const offered = readUpgradeFrame(older.seen[0]!.protocols, READ_LIMIT_BYTES);
    expect(offered.ok && Buffer.from(offered.frame!).toString()).toContain('"token":"alice"');
    expect(older.seen[0]!.events).toEqual(['authenticate']);
  });

  it('opens once more without the offer when a server answering no subprotocol fails the upgrade, and offers it that server no more', async () => {
    const older = track(await olderServer('none'));
    const client = track(sdkClient(older.url, 'alice', { level: SecurityLevel.NONE }));
    expect((await client.connect()).userId).toBe('alice');
    // The upgrade that offered the frame was answered without a subprotocol, which ws refuses; the plain one opened.
    expect(older.seen.map((connection) => connection.protocols !== undefined)).toEqual([true, false]);
    expect(older.seen[1]!.events).toEqual(['authenticate']);
    client.close();
    expect((await client.connect()).userId).toBe('alice');
    expect(older.seen).toHaveLength(3);
    expect(older.seen[2]!.protocols).toBeUndefined();
  });

  it('offers no subprotocol at all with maxUpgradeFrameBytes 0', async () => {
    const older = track(await olderServer());
    const client = track(sdkClient(older.url, 'alice', { level: SecurityLevel.NONE, maxUpgradeFrameBytes: 0 }));
    expect((await client.connect()).userId).toBe('alice');
    expect(older.seen[0]!.protocols).toBeUndefined();
    expect(older.seen[0]!.events).toEqual(['authenticate']);
  });

  it('produces credentials given as an async function before the upgrade, and carries them in it', async () => {
    server = track(await startSecureServer({ acceptedLevels: [SecurityLevel.NONE] }));
    const recording = recordingWebSocket();
    const client = track(sdkClient(server.url, 'alice', {
      level: SecurityLevel.NONE,
      WebSocket: recording.WebSocket,
      credentials: async () => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        return { token: 'carol' };
      },
    }));
    expect((await client.connect()).userId).toBe('carol');
    expect(recording.answered).toEqual([UpgradeSubprotocol.FIRST_FRAME_TAKEN]);
    expect(recording.sent).not.toContain('authenticate');
  });

  it('opens no socket when the credentials cannot be produced, and fails with CREDENTIALS_FAILED', async () => {
    server = track(await startSecureServer({ acceptedLevels: [SecurityLevel.NONE] }));
    const recording = recordingWebSocket();
    const client = track(sdkClient(server.url, 'alice', {
      level: SecurityLevel.NONE,
      WebSocket: recording.WebSocket,
      credentials: () => Promise.reject(new Error('token service down')),
    }));
    const failure = (await client.connect().catch((error: unknown) => error)) as SealedClientError;
    expect(failure.code).toBe(ClientFailureCode.CREDENTIALS_FAILED);
    expect(recording.answered).toEqual([]);
    expect(server.helper.getMetrics().connectionsAccepted).toBe(0);
  });

  it('closes an attempt whose credentials take longer than credentialsTimeoutMs with 4001, and asks for them again on the reconnect', async () => {
    server = track(await startSecureServer({ acceptedLevels: [SecurityLevel.NONE] }));
    let calls = 0;
    const closes: number[] = [];
    const client = track(sdkClient(server.url, 'alice', {
      level: SecurityLevel.NONE,
      credentialsTimeoutMs: 50,
      reconnect: { enabled: true, initialDelayMs: 10, maxDelayMs: 10, jitter: 0 },
      credentials: () => {
        calls += 1;
        return calls === 1 ? new Promise<Record<string, unknown>>(() => undefined) : Promise.resolve({ token: 'alice' });
      },
    }));
    client.on(ClientLifecycleEvent.CLOSE, ({ code }: { code: number }) => void closes.push(code));
    expect((await client.connect()).userId).toBe('alice');
    expect(calls).toBe(2);
    expect(closes).toEqual([CloseCode.AUTH_TIMEOUT]);
    expect(server.helper.getMetrics().connectionsAccepted).toBe(1);
  });

  it('fails with CREDENTIALS_FAILED when credentials at hand cannot be serialized', async () => {
    server = track(await startSecureServer({ acceptedLevels: [SecurityLevel.NONE] }));
    const client = track(sdkClient(server.url, 'alice', { level: SecurityLevel.NONE, credentials: { token: 1n } }));
    const failure = (await client.connect().catch((error: unknown) => error)) as SealedClientError;
    expect(failure.code).toBe(ClientFailureCode.CREDENTIALS_FAILED);
    expect(server.helper.getMetrics().connectionsAccepted).toBe(0);
  });
});
