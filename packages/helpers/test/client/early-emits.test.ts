import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { closeAfterEach } from '@sealed/test-support';
import { SecurityLevel, type AuthenticateFn, type WebSocketServerOptions } from '../../src/index.ts';
import { SEALED_CLIENT_DEFAULTS, type SealedClient, type SealedClientOptions, type WebSocketConstructor } from '../../src/client/index.ts';
import { sdkClient, startSecureServer, type SecureTestServer } from '../support/secure-test-server.ts';
import { tokenAuthenticate } from '../support/test-server.ts';

/**
 * Emits made while a connection is being set up go right behind the
 * credentials, within the early budget, instead of after the server's
 * `connected`: the server handles them once it has opened the connection.
 */
const track = closeAfterEach();
let server: SecureTestServer;

/** A `ws` WebSocket class that notes each frame it sends and receives, in order: `out:<event>`, `in:<event>`, `binary` for protected frames. */
function timelineWebSocket(timeline: string[]): { WebSocket: WebSocketConstructor; sockets: WebSocket[] } {
  const sockets: WebSocket[] = [];
  const name = (data: unknown, isBinary: boolean): string => (isBinary ? 'binary' : (JSON.parse(String(data)) as { event: string }).event);
  class TimelineWebSocket extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
      this.on('message', (data, isBinary) => timeline.push(`in:${name(data, isBinary)}`));
    }

    override send(data: unknown): void {
      timeline.push(`out:${name(data, typeof data !== 'string')}`);
      super.send(data as string);
    }
  }
  return { WebSocket: TimelineWebSocket as unknown as WebSocketConstructor, sockets };
}

/** A server taking both levels, whose handler notes the `n` of each event, and answers `double` requests. */
async function recordingServer(handled: number[], authenticateFn?: AuthenticateFn, options: Partial<WebSocketServerOptions> = {}): Promise<SecureTestServer> {
  return track(await startSecureServer({
    acceptedLevels: [SecurityLevel.NONE, SecurityLevel.ENCRYPTED],
    authenticateFn: authenticateFn && (() => authenticateFn),
    server: {
      ...options,
      messageHandler: ({ event, data }) => {
        const { n } = data as { n: number };
        handled.push(n);
        return event === 'double' ? 2 * n : undefined;
      },
    },
  }));
}

/** A client of the server whose socket notes its frames in `timeline`. */
function timelineClient(user: string, options: Partial<SealedClientOptions> = {}): { client: SealedClient; timeline: string[]; sockets: WebSocket[] } {
  const timeline: string[] = [];
  const { WebSocket: TimelineWebSocket, sockets } = timelineWebSocket(timeline);
  // The credentials go as a frame of their own (not in the upgrade), so the timeline shows what goes right behind them.
  return { client: track(sdkClient(server.url, user, { WebSocket: TimelineWebSocket, maxUpgradeFrameBytes: 0, ...options })), timeline, sockets };
}

/** Connects `client` and makes `emits` while the connection is set up; resolves once it is open and every emit has settled. */
async function connectEmitting(client: SealedClient, ...emits: Array<() => Promise<unknown>>): Promise<void> {
  const opening = client.connect();
  const sent = emits.map((emit) => emit());
  await opening;
  await Promise.all(sent);
}

describe.each([SecurityLevel.NONE, SecurityLevel.ENCRYPTED])('emits while connecting, at level %s', (level) => {
  /** The frame that answers the credentials: `connected`, in the clear at level none, protected above it. */
  const connectedFrame = level === SecurityLevel.NONE ? 'in:connected' : 'in:binary';
  const emitFrame = level === SecurityLevel.NONE ? 'out:note' : 'out:binary';
  const credentialsFrame = level === SecurityLevel.NONE ? 'out:authenticate' : 'out:sealed:finish';
  /** The `count` frames from the credentials on. */
  const fromCredentials = (timeline: string[], count: number): string[] => timeline.slice(timeline.indexOf(credentialsFrame)).slice(0, count);

  it('go right behind the credentials, before connected, up to a request; the server handles all of them in order', async () => {
    const handled: number[] = [];
    server = await recordingServer(handled);
    const { client: alice, timeline } = timelineClient('alice', { level });

    let doubled: Promise<unknown> = Promise.resolve();
    await connectEmitting(
      alice,
      () => alice.emit('note', { n: 1 }),
      () => alice.emit('note', { n: 2 }),
      () => (doubled = alice.request('double', { n: 3 })),
      () => alice.emit('note', { n: 4 }),
    );

    expect(await doubled).toBe(6);
    await expect.poll(() => handled).toEqual([1, 2, 3, 4]);
    // The two emits before the request follow the credentials at once; the request, and what follows it, wait for connected.
    expect(fromCredentials(timeline, 4)).toEqual([credentialsFrame, emitFrame, emitFrame, connectedFrame]);
  });

  it('keep to the early budget: past maxEarlyEmits or maxEarlyBytes the rest wait for connected, in order', async () => {
    const handled: number[] = [];
    server = await recordingServer(handled);
    const bytes = timelineClient('alice', { level, maxEarlyEmits: 3, maxEarlyBytes: 4096 });
    await connectEmitting(
      bytes.client,
      () => bytes.client.emit('note', { n: 1 }),
      // Past maxEarlyBytes on its own: it waits, and so does everything after it.
      () => bytes.client.emit('note', { n: 2, padding: 'x'.repeat(5000) }),
      () => bytes.client.emit('note', { n: 3 }),
    );
    await expect.poll(() => handled).toEqual([1, 2, 3]);
    expect(fromCredentials(bytes.timeline, 3)).toEqual([credentialsFrame, emitFrame, connectedFrame]);

    const count = timelineClient('bob', { level, maxEarlyEmits: 2 });
    await connectEmitting(count.client, ...[4, 5, 6].map((n) => () => count.client.emit('note', { n })));
    await expect.poll(() => handled).toEqual([1, 2, 3, 4, 5, 6]);
    expect(fromCredentials(count.timeline, 4)).toEqual([credentialsFrame, emitFrame, emitFrame, connectedFrame]);
  });

  it('are refused with CLOSED, never handled, when the server refuses the credentials', async () => {
    const handled: number[] = [];
    server = await recordingServer(handled);
    const { client: refused, timeline } = timelineClient('', { level });

    const opening = refused.connect();
    const early = refused.emit('note', { n: 1 });
    await expect(opening).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await expect(early).rejects.toMatchObject({ code: 'CLOSED' });
    expect(timeline).toContain(emitFrame);
    expect(handled).toEqual([]);
  });

  it('go again, in front and in order, on the next connection when one drops after they went and before it opened', async () => {
    const handled: number[] = [];
    const { hangOnce, arrived } = authenticationThatHangsOnce();
    server = await recordingServer(handled, hangOnce);
    const { client: alice, timeline, sockets } = timelineClient('alice', { level, reconnect: { enabled: true, initialDelayMs: 30, maxDelayMs: 30, jitter: 0 } });

    const opening = alice.connect();
    const emits = Array.from({ length: 10 }, (_, index) => alice.emit('note', { n: index + 1 }));
    await arrived;
    await expect.poll(() => timeline.filter((frame) => frame === emitFrame).length).toBe(SEALED_CLIENT_DEFAULTS.maxEarlyEmits);
    sockets[0]!.terminate();
    await opening;
    await Promise.all(emits);

    await expect.poll(() => handled).toEqual(Array.from({ length: 10 }, (_, index) => index + 1));
    expect(sockets).toHaveLength(2);
  });

  it('are not sent early on the next connection when one closed before it opened with them in flight, so a server with smaller limits before the open still gets them', async () => {
    const handled: number[] = [];
    server = await recordingServer(handled, undefined, { maxPayloadBytesBeforeAuth: 1024 });
    const { client: alice, timeline, sockets } = timelineClient('alice', { level, reconnect: { enabled: true, initialDelayMs: 30, maxDelayMs: 30, jitter: 0 } });

    // Within the client's early budget, past the server's limit for a frame before the open: that connection is closed (1009).
    await connectEmitting(alice, () => alice.emit('note', { n: 1, padding: 'x'.repeat(2048) }));

    await expect.poll(() => handled).toEqual([1]);
    expect(sockets).toHaveLength(2);
    const second = timeline.slice(timeline.lastIndexOf(credentialsFrame));
    expect(second.indexOf(connectedFrame)).toBeLessThan(second.indexOf(emitFrame));
  });

  it.each([8, 0])('refuse an emit whose data cannot be serialized on its own and send the rest, with maxEarlyEmits %i', async (maxEarlyEmits) => {
    const handled: number[] = [];
    server = await recordingServer(handled);
    const { client: alice } = timelineClient('alice', { level, maxEarlyEmits });

    const opening = alice.connect();
    const first = alice.emit('note', { n: 1 });
    const refused = expect(alice.emit('note', { n: 2n })).rejects.toThrow(TypeError);
    const third = alice.emit('note', { n: 3 });
    await opening;
    await refused;
    await Promise.all([first, third]);
    await expect.poll(() => handled).toEqual([1, 3]);
  });

  it('count the emits sent early toward maxQueuedEmits until the connection opens', async () => {
    const handled: number[] = [];
    const { hangOnce, arrived } = authenticationThatHangsOnce();
    server = await recordingServer(handled, hangOnce);
    const { client: alice, timeline } = timelineClient('alice', { level, maxQueuedEmits: 2 });

    void alice.connect().catch(() => undefined);
    const early = [1, 2].map((n) => alice.emit('note', { n }));
    await arrived;
    await expect.poll(() => timeline.filter((frame) => frame === emitFrame).length).toBe(2);
    await expect(alice.emit('note', { n: 3 })).rejects.toMatchObject({ code: 'OFFLINE_QUEUE_FULL' });
    alice.close();
    for (const emit of early) await expect(emit).rejects.toMatchObject({ code: 'DISCONNECTED' });
  });

  it('are refused with DISCONNECTED when the client closes after they went and before the connection opened, the rest with CLOSED', async () => {
    const handled: number[] = [];
    const { hangOnce, arrived } = authenticationThatHangsOnce();
    server = await recordingServer(handled, hangOnce);
    const { client: alice, timeline } = timelineClient('alice', { level, maxEarlyEmits: 1 });

    const opening = alice.connect();
    const early = alice.emit('note', { n: 1 });
    const queued = alice.emit('note', { n: 2 });
    await arrived;
    await expect.poll(() => timeline).toContain(emitFrame);
    alice.close();
    await expect(early).rejects.toMatchObject({ code: 'DISCONNECTED' });
    await expect(queued).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(opening).rejects.toMatchObject({ code: 'CLOSED' });
  });
});

/** An `authenticateFn` that never answers the first connection's credentials (`arrived` says when they came), and takes the demo tokens after. */
function authenticationThatHangsOnce(): { hangOnce: AuthenticateFn; arrived: Promise<void> } {
  let credentialsArrived: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => (credentialsArrived = resolve));
  let hung = false;
  const hangOnce: AuthenticateFn = (context) => {
    if (hung) return tokenAuthenticate(context);
    hung = true;
    credentialsArrived();
    return new Promise(() => undefined);
  };
  return { hangOnce, arrived };
}

describe('the early-data options', () => {
  it('refuse a budget that is not a non-negative integer, which would let every queued emit go early', () => {
    for (const bad of [Number.NaN, -1, 1.5]) {
      expect(() => sdkClient('ws://127.0.0.1:1/ws', 'alice', { maxEarlyEmits: bad })).toThrow(RangeError);
      expect(() => sdkClient('ws://127.0.0.1:1/ws', 'alice', { maxEarlyBytes: bad })).toThrow(RangeError);
    }
    expect(() => sdkClient('ws://127.0.0.1:1/ws', 'alice', { maxEarlyEmits: 0, maxEarlyBytes: 0 })).not.toThrow();
  });
});
