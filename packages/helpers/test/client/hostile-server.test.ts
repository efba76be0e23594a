import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, SealedError, SecurityLevel } from '../../src/index.ts';
import {
  ClientFailureCode,
  ClientLifecycleEvent,
  SealedClient,
  SealedClientState,
  type SealedClientOptions,
} from '../../src/client/index.ts';
import { finishServerHandshake, InMemoryReplayStore, respondToClientHello, type SecureChannel } from '../../src/crypto/index.ts';
import { encodeFrame } from '../../src/protocol/index.ts';
import { nodeCrypto, sdkClient } from '../support/secure-test-server.ts';

/** One connection the scripted server accepted, with its `authenticate` payload and, when encrypted, its channel. */
interface ScriptedPeer {
  socket: WebSocket;
  channel: SecureChannel | undefined;
  closed: Promise<number>;
  /** Seals and sends a frame on the channel. */
  sendSealed(text: string): Promise<void>;
}

interface ScriptedServer {
  url: string;
  /** Resolves with the next connection once it has authenticated (the test decides what `connected` says). */
  nextPeer(): Promise<{ socket: WebSocket; payload: Record<string, unknown>; closed: Promise<number> }>;
  close(): Promise<void>;
}

let server: ScriptedServer | undefined;
const clients: SealedClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) if (client.state !== SealedClientState.CLOSED) client.close();
  await server?.close();
  server = undefined;
});

function closeServer(wss: WebSocketServer): Promise<void> {
  for (const socket of wss.clients) socket.terminate();
  return new Promise<void>((resolve) => wss.close(() => resolve()));
}

/** A raw `ws` server that plays the Sealed server's part only as far as each test scripts it. */
async function startScriptedServer(): Promise<ScriptedServer> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const waiting: Array<(peer: Awaited<ReturnType<ScriptedServer['nextPeer']>>) => void> = [];
  wss.on('connection', (socket) => {
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    socket.once('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { event: string; data: Record<string, unknown> };
      waiting.shift()?.({ socket, payload: frame.data, closed });
    });
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`,
    nextPeer: () => new Promise((resolve) => waiting.push(resolve)),
    close: () => closeServer(wss),
  };
}

function track(client: SealedClient): SealedClient {
  clients.push(client);
  return client;
}

/** Everything a client reported, in order. */
function record(client: SealedClient, events: string[]): Array<{ event: string; data: unknown }> {
  const seen: Array<{ event: string; data: unknown }> = [];
  for (const event of events) client.on(event, (data) => seen.push({ event, data }));
  return seen;
}

function next(client: SealedClient, event: string): Promise<any> {
  return new Promise((resolve) => {
    const off = client.on(event, (data) => {
      off();
      resolve(data);
    });
  });
}

/** Connects a plaintext client to the scripted server and answers its `authenticate` with `connected`. */
async function openPlaintext(options: Partial<SealedClientOptions> = {}): Promise<{ client: SealedClient; peer: ScriptedPeer }> {
  const client = track(sdkClient(server!.url, 'alice', { level: SecurityLevel.NONE, ...options }));
  const peerReady = server!.nextPeer();
  const connected = client.connect();
  const { socket, closed } = await peerReady;
  socket.send(encodeFrame('connected', { id: 'c1', userId: 'alice' }));
  await connected;
  return { client, peer: { socket, channel: undefined, closed, sendSealed: () => Promise.reject(new Error('not encrypted')) } };
}

/** The next text frame a socket receives, parsed. */
function nextFrame(socket: WebSocket): Promise<{ event: string; data: unknown }> {
  return new Promise((resolve) => socket.once('message', (raw) => resolve(JSON.parse(String(raw)))));
}

/**
 * Connects an encrypted client and runs a real handshake on the scripted
 * server's side up to the client's finish; `connected` is sent sealed unless
 * the test says otherwise.
 */
async function openEncrypted(
  options: { connecting?: (client: SealedClient) => void; beforeConnected?: (socket: WebSocket) => void } = {},
): Promise<{ client: SealedClient; peer: ScriptedPeer; connected: Promise<unknown> }> {
  const identity = nodeCrypto.ed25519KeyPair();
  const client = track(sdkClient(server!.url, 'alice'));
  const peerReady = server!.nextPeer();
  const connected = client.connect();
  options.connecting?.(client);
  const { socket, payload, closed } = await peerReady;
  const answered = respondToClientHello({
    crypto: nodeCrypto,
    identity,
    acceptedLevels: [SecurityLevel.ENCRYPTED],
    hello: payload.sealed,
    nowMs: Date.now(),
    maxClockSkewMs: 60_000,
  });
  if (!answered.ok) throw new Error(`hello refused: ${answered.code}`);
  const finishFrame = nextFrame(socket);
  socket.send(encodeFrame('sealed:handshake', answered.reply));
  const finish = await finishFrame;
  expect(finish.event).toBe('sealed:finish');
  const result = await finishServerHandshake({
    crypto: nodeCrypto,
    pending: answered.pending,
    finish: finish.data,
    replayStore: new InMemoryReplayStore(60_000, 10),
    nowMs: Date.now(),
  });
  if (!result.ok) throw new Error(`finish refused: ${result.code}`);
  const { channel } = result;
  const peer: ScriptedPeer = {
    socket,
    channel,
    closed,
    async sendSealed(text) {
      socket.send(await channel.seal(new TextEncoder().encode(text), Date.now()));
    },
  };
  options.beforeConnected?.(socket);
  await peer.sendSealed(encodeFrame('connected', { id: 'c1', userId: 'alice' }));
  if (!options.beforeConnected) await connected;
  return { client, peer, connected };
}

describe('SealedClient facing a hostile server', () => {
  it('reports malformed, oversized and forbidden frames and a throwing listener, and keeps receiving', async () => {
    server = await startScriptedServer();
    const { client, peer } = await openPlaintext({ maxFrameBytes: 1024 });
    const chats: unknown[] = [];
    client.on('chat', (data) => {
      if (data === 'throw') throw new Error('listener bug');
      chats.push(data);
    });
    const errors = record(client, [ClientLifecycleEvent.ERROR]);
    const done = new Promise((resolve) => client.on('done', resolve));

    peer.socket.send('not json');
    peer.socket.send('[1,2]');
    peer.socket.send(JSON.stringify({ event: 'chat', data: 'x'.repeat(2048) }));
    peer.socket.send('{"event":"chat","data":{"__proto__":{"admin":true}}}');
    peer.socket.send(Buffer.from('binary on a plaintext connection'));
    peer.socket.send(encodeFrame('chat', 'throw'));
    peer.socket.send(encodeFrame('chat', 'after the throw'));
    peer.socket.send(encodeFrame('done'));
    await done;

    expect(chats).toEqual(['after the throw']);
    expect(errors.map(({ data }) => (data as { code: string }).code)).toEqual([
      ClientFailureCode.MALFORMED_FRAME,
      ClientFailureCode.MALFORMED_FRAME,
      ClientFailureCode.FRAME_TOO_LARGE,
      ClientFailureCode.MALFORMED_FRAME,
      ClientFailureCode.MALFORMED_FRAME,
      ClientFailureCode.LISTENER_FAILED,
    ]);
    expect(errors[5]!.data).toMatchObject({ event: 'chat' });
    expect(client.state).toBe(SealedClientState.OPEN);
  });

  it('keeps receiving after a listener throws, across many messages (no stalled chain)', async () => {
    server = await startScriptedServer();
    const { client, peer } = await openPlaintext();
    const seen: number[] = [];
    client.on('chat', (n: number) => {
      seen.push(n);
      if (n % 2 === 0) throw new Error(`listener bug on ${n}`);
    });
    const last = new Promise((resolve) => client.on('chat', (n: number) => n === 9 && resolve(n)));
    for (let n = 0; n < 10; n += 1) peer.socket.send(encodeFrame('chat', n));
    await last;
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it.each([
    ['an application event', encodeFrame('chat', 'injected before connected')],
    ['a joined that would steer the rejoin', encodeFrame('joined', { rooms: ['evil'], denied: [], current: ['evil'] })],
    ['a frame that is not JSON', '{ not json'],
  ])('gives up with PROTOCOL_VIOLATION and closes with 4008 on %s before connected', async (_case, frame) => {
    server = await startScriptedServer();
    const client = track(sdkClient(server.url, 'alice', { level: SecurityLevel.NONE }));
    const injected: unknown[] = [];
    client.on('chat', (data) => injected.push(data));
    const peerReady = server.nextPeer();
    const connected = client.connect();
    const { socket, closed } = await peerReady;
    socket.send(frame);
    socket.send(encodeFrame('connected', { id: 'c1', userId: 'alice' }));
    await expect(connected).rejects.toMatchObject({ code: ClientFailureCode.PROTOCOL_VIOLATION });
    expect(await closed).toBe(CloseCode.PROTOCOL_VIOLATION);
    expect(injected).toEqual([]);
    expect(client.rooms).toEqual([]);
  });

  it('gives up with PROTOCOL_VIOLATION and closes with 4008 when connected lacks the ids', async () => {
    server = await startScriptedServer();
    const client = track(sdkClient(server.url, 'alice', { level: SecurityLevel.NONE }));
    const peerReady = server.nextPeer();
    const connected = client.connect();
    const { socket, closed } = await peerReady;
    socket.send(encodeFrame('connected', { id: 42 }));
    await expect(connected).rejects.toMatchObject({ code: ClientFailureCode.PROTOCOL_VIOLATION });
    expect(await closed).toBe(CloseCode.PROTOCOL_VIOLATION);
  });

  it('refuses an early emit with DISCONNECTED, and sends it no more, when the connected that answers it is refused', async () => {
    // Every frame of every connection, in order; each connection's `connected` lacks the ids.
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    const frames: string[][] = [];
    wss.on('connection', (socket) => {
      const received: string[] = [];
      frames.push(received);
      socket.on('message', (raw) => {
        received.push(String(raw));
        // The server handled the emit behind the credentials and opened; its connected is refused on the way.
        if (received.length === 2) socket.send(encodeFrame('connected', { id: 42 }));
      });
    });
    server = { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`, nextPeer: () => new Promise(() => undefined), close: () => closeServer(wss) };
    const client = track(sdkClient(server.url, 'alice', { level: SecurityLevel.NONE }));
    const connected = expect(client.connect()).rejects.toMatchObject({ code: ClientFailureCode.PROTOCOL_VIOLATION });
    const noted = expect(client.emit('note', { n: 1 })).rejects.toMatchObject({ code: ClientFailureCode.DISCONNECTED });

    await connected;
    await noted;
    // It went right behind the credentials, before the connected.
    expect(frames[0]![1]).toBe(encodeFrame('note', { n: 1 }));
  });

  it('at level encrypted, refuses an early emit with CLOSED, not as maybe handled, when a plaintext frame answers the finish', async () => {
    server = await startScriptedServer();
    let noted: Promise<unknown> | undefined;
    const { connected } = await openEncrypted({
      connecting: (client) => (noted = expect(client.emit('note', { n: 1 })).rejects.toMatchObject({ code: ClientFailureCode.CLOSED })),
      beforeConnected: (socket) => socket.send(encodeFrame('error', { code: 'AUTH_FAILED', message: 'refused in plaintext' })),
    });
    await expect(connected).rejects.toMatchObject({ code: ClientFailureCode.CRYPTO_FAILURE });
    expect(noted).toBeDefined();
    await noted;
  });

  it('at level encrypted, gives up with 4008 on an application event injected before the server hello, and delivers nothing', async () => {
    server = await startScriptedServer();
    const client = track(sdkClient(server.url, 'alice'));
    const injected: unknown[] = [];
    client.on('chat', (data) => injected.push(data));
    const peerReady = server.nextPeer();
    const connected = client.connect();
    const { socket, closed } = await peerReady;
    socket.send(encodeFrame('chat', 'injected before the handshake'));
    await expect(connected).rejects.toMatchObject({ code: ClientFailureCode.PROTOCOL_VIOLATION });
    expect(await closed).toBe(CloseCode.PROTOCOL_VIOLATION);
    expect(injected).toEqual([]);
  });

  it('at level encrypted, gives up with DOWNGRADE and 4004 on a plaintext connected that skips the handshake', async () => {
    server = await startScriptedServer();
    const client = track(sdkClient(server.url, 'alice'));
    const peerReady = server.nextPeer();
    const connected = client.connect();
    const { socket, closed } = await peerReady;
    socket.send(encodeFrame('connected', { id: 'c1', userId: 'alice' }));
    await expect(connected).rejects.toMatchObject({ code: ClientFailureCode.DOWNGRADE });
    expect(await closed).toBe(CloseCode.ENCRYPTION_REQUIRED);
  });

  it('at level encrypted, gives up with 4005 on a plaintext connected injected after the finish', async () => {
    server = await startScriptedServer();
    const { peer, connected } = await openEncrypted({ beforeConnected: (socket) => socket.send(encodeFrame('connected', { id: 'c1', userId: 'mallory' })) });
    await expect(connected).rejects.toMatchObject({ code: ClientFailureCode.CRYPTO_FAILURE });
    expect(await peer.closed).toBe(CloseCode.CRYPTO_FAILURE);
  });

  it('on an encrypted connection, drops a sealed frame that is not a valid frame and keeps the channel', async () => {
    server = await startScriptedServer();
    const { client, peer } = await openEncrypted();
    const errors = record(client, [ClientLifecycleEvent.ERROR]);
    const chat = next(client, 'chat');
    await peer.sendSealed('sealed, but not json');
    await peer.sendSealed('{"event":"chat","data":{"constructor":{}}}');
    await peer.sendSealed(encodeFrame('chat', 'good'));
    expect(await chat).toBe('good');
    expect(errors.map(({ data }) => (data as { code: string }).code)).toEqual([
      ClientFailureCode.MALFORMED_FRAME,
      ClientFailureCode.MALFORMED_FRAME,
    ]);
  });

  it('on an encrypted connection, closes with 4005 on an out-of-order frame and delivers nothing after it', async () => {
    server = await startScriptedServer();
    const { client, peer } = await openEncrypted();
    const chats: unknown[] = [];
    client.on('chat', (data) => chats.push(data));
    const failure = next(client, ClientLifecycleEvent.FAILURE);
    const first = await peer.channel!.seal(new TextEncoder().encode(encodeFrame('chat', 'first')), Date.now());
    const second = await peer.channel!.seal(new TextEncoder().encode(encodeFrame('chat', 'second')), Date.now());
    peer.socket.send(second);
    peer.socket.send(first);
    expect(await failure).toMatchObject({ code: ClientFailureCode.CRYPTO_FAILURE });
    expect(await peer.closed).toBe(CloseCode.CRYPTO_FAILURE);
    expect(chats).toEqual([]);
  });

  it('on an encrypted connection, closes with 4005 on a forged frame', async () => {
    server = await startScriptedServer();
    const { client, peer } = await openEncrypted();
    const failure = next(client, ClientLifecycleEvent.FAILURE);
    const frame = await peer.channel!.seal(new TextEncoder().encode(encodeFrame('chat', 'x')), Date.now());
    frame[frame.length - 1]! ^= 0x01;
    peer.socket.send(frame);
    expect(await failure).toMatchObject({ code: ClientFailureCode.CRYPTO_FAILURE });
    expect(await peer.closed).toBe(CloseCode.CRYPTO_FAILURE);
  });
});

describe('SealedClient.connect without a usable socket', () => {
  it('rejects with NO_WEBSOCKET, and again on the next call instead of hanging', async () => {
    const client = new SealedClient({ url: 'ws://127.0.0.1:9/ws', credentials: {}, crypto: nodeCrypto });
    const original = (globalThis as { WebSocket?: unknown }).WebSocket;
    (globalThis as { WebSocket?: unknown }).WebSocket = undefined;
    try {
      await expect(client.connect()).rejects.toMatchObject({ code: ClientFailureCode.NO_WEBSOCKET });
      await expect(client.connect()).rejects.toMatchObject({ code: ClientFailureCode.NO_WEBSOCKET });
    } finally {
      (globalThis as { WebSocket?: unknown }).WebSocket = original;
    }
  });

  it('rejects with INVALID_URL a URL the WebSocket class refuses, and the error is a SealedError', async () => {
    const client = track(sdkClient('ftp://127.0.0.1/ws', 'alice', { pinName: 'test' }));
    const error = await client.connect().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: ClientFailureCode.INVALID_URL });
    expect(SealedError.is(error)).toBe(true);
    expect(client.state).toBe(SealedClientState.CLOSED);
  });

  it('gives up with CREDENTIALS_FAILED when the credentials function throws', async () => {
    server = await startScriptedServer();
    const client = track(
      sdkClient(server.url, 'alice', {
        credentials: () => {
          throw new Error('token store unavailable');
        },
      }),
    );
    await expect(client.connect()).rejects.toMatchObject({ code: ClientFailureCode.CREDENTIALS_FAILED });
  });
});
