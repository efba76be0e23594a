import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientLifecycleEvent, type ConnectionInfo, type SealedClient, type WebSocketConstructor } from '../../src/client/index.ts';
import type { AuthenticateFn } from '../../src/index.ts';
import { nodeCrypto, sdkClient, startSecureServer, type SecureTestServer } from '../support/secure-test-server.ts';
import { tokenAuthenticate } from '../support/test-server.ts';

let server: SecureTestServer | undefined;
const clients: SealedClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

const FAST_RECONNECT = { enabled: true, initialDelayMs: 20, maxDelayMs: 20, jitter: 0 };
/** `connected`, then `sealed:ticket`. */
const FRAMES_UP_TO_TICKET = 2;
const TICKET_READ_MS = 20;

/**
 * A `ws` WebSocket class whose sockets a test can cut (as a network drop
 * does) and whose `authenticate` frames it can rewrite or record, as an
 * attacker on the path could.
 */
function cuttableWebSocket() {
  const control = {
    sockets: [] as WebSocket[],
    /** Binary (protected) frames each socket received, by socket. */
    binaryFrames: new Map<WebSocket, number>(),
    hellos: [] as string[],
    rewriteHello: undefined as ((hello: Record<string, unknown>) => void) | undefined,
    WebSocket: undefined as unknown as WebSocketConstructor,
  };
  class CuttableWebSocket extends WebSocket {
    constructor(url: string) {
      super(url);
      control.sockets.push(this);
      this.on('message', (_data, isBinary) => {
        if (isBinary) control.binaryFrames.set(this, (control.binaryFrames.get(this) ?? 0) + 1);
      });
    }

    override send(data: unknown): void {
      if (typeof data === 'string' && data.includes('"authenticate"')) {
        const frame = JSON.parse(data) as { data: { sealed: Record<string, unknown> } };
        control.rewriteHello?.(frame.data.sealed);
        const text = JSON.stringify(frame);
        control.hellos.push(text);
        super.send(text);
        return;
      }
      super.send(data as string);
    }
  }
  control.WebSocket = CuttableWebSocket;
  return control;
}

/** A reconnecting SDK client, and every connection it opened. */
async function connectedClient(url: string, options: Parameters<typeof sdkClient>[2] = {}) {
  const network = cuttableWebSocket();
  const client = sdkClient(url, 'alice', { reconnect: FAST_RECONNECT, WebSocket: network.WebSocket, ...options });
  clients.push(client);
  const opens: ConnectionInfo[] = [];
  client.on(ClientLifecycleEvent.OPEN, (info: ConnectionInfo) => void opens.push(info));
  await client.connect();
  return { client, network, opens };
}

/** Waits for the client's ticket, then cuts its socket and waits for the next connection to open. */
async function dropAndReconnect(
  connected: Awaited<ReturnType<typeof connectedClient>>,
  before: () => unknown = () => undefined,
): Promise<ConnectionInfo> {
  // The ticket is the protected frame after `connected`: once the socket has both, give the client a moment to read it.
  const socket = connected.network.sockets.at(-1)!;
  await expect.poll(() => connected.network.binaryFrames.get(socket) ?? 0).toBeGreaterThanOrEqual(FRAMES_UP_TO_TICKET);
  await sleep(TICKET_READ_MS);
  const count = connected.opens.length;
  await before();
  socket.terminate();
  await expect.poll(() => connected.opens.length, { timeout: 3_000 }).toBeGreaterThan(count);
  return connected.opens.at(-1)!;
}

/** An `authenticateFn` that counts its calls. */
function countingAuthenticate(): { fn: AuthenticateFn; calls: number } {
  const counter = {
    calls: 0,
    fn: ((context) => {
      counter.calls += 1;
      return tokenAuthenticate(context);
    }) as AuthenticateFn,
  };
  return counter;
}

describe('session resumption', () => {
  it('resumes a dropped connection from its ticket, skipping the signatures, and authenticates it again', async () => {
    const authenticate = countingAuthenticate();
    server = await startSecureServer({ authenticateFn: () => authenticate.fn });
    const connected = await connectedClient(server.url);
    expect(connected.opens[0]).toMatchObject({ resumed: false });

    const resumed = await dropAndReconnect(connected);
    expect(resumed).toMatchObject({ resumed: true, userId: 'alice' });
    expect(resumed.clientId).not.toBe(connected.opens[0]!.clientId);
    expect(authenticate.calls).toBe(2);
    expect(server.kit.getMetrics()).toMatchObject({ resumptions: 1, handshakesCompleted: 2, ticketRefusals: {} });
    // The resumed channel carries traffic both ways.
    await expect(connected.client.join(['lobby'])).resolves.toMatchObject({ rooms: ['lobby'] });
  });

  it('lets the ticket stand in for authenticateFn when the application opts out, metadata included', async () => {
    const authenticate = countingAuthenticate();
    server = await startSecureServer({
      authenticateFn: () => () => {
        authenticate.calls += 1;
        return { userId: 'alice', metadata: { plan: 'pro' } };
      },
      kit: { resumption: { authenticateAgain: false } },
    });
    const connected = await connectedClient(server.url);
    const resumed = await dropAndReconnect(connected);
    expect(resumed).toMatchObject({ resumed: true, userId: 'alice' });
    expect(authenticate.calls).toBe(1);
    expect(server.helper.getClients().map((client) => client.metadata)).toEqual([{ plan: 'pro' }]);
  });

  it('falls back to the full handshake for a changed ticket', async () => {
    server = await startSecureServer();
    const connected = await connectedClient(server.url);
    const resumed = await dropAndReconnect(connected, () => {
      connected.network.rewriteHello = (hello) => {
        const ticket = Buffer.from(hello.ticket as string, 'base64');
        ticket[ticket.length - 1]! ^= 1;
        hello.ticket = ticket.toString('base64');
      };
    });
    expect(resumed).toMatchObject({ resumed: false, userId: 'alice' });
    expect(server.kit.getMetrics()).toMatchObject({ resumptions: 0, ticketRefusals: { TICKET_INVALID: 1 } });
  });

  it('falls back to the full handshake for an expired ticket', async () => {
    let frozenAt: number | undefined;
    server = await startSecureServer({ kit: { resumption: { ticketLifetimeMs: 300 } } });
    // From the cut on the client's clock stands still, so it still presents the ticket the server's clock has expired.
    const connected = await connectedClient(server.url, { now: () => frozenAt ?? Date.now() });
    const resumed = await dropAndReconnect(connected, async () => {
      frozenAt = Date.now();
      await sleep(400);
    });
    expect(resumed).toMatchObject({ resumed: false, userId: 'alice' });
    expect(server.kit.getMetrics()).toMatchObject({ resumptions: 0, ticketRefusals: { TICKET_EXPIRED: 1 } });
  });

  it('takes a ticket once: the same hello again gets the full handshake, and so does another server identity', async () => {
    server = await startSecureServer();
    const connected = await connectedClient(server.url);
    expect(await dropAndReconnect(connected)).toMatchObject({ resumed: true });
    const usedHello = connected.network.hellos.at(-1)!;
    expect(JSON.parse(usedHello).data.sealed).toHaveProperty('ticket');

    const again = await firstAnswer(server.url, usedHello);
    expect(again).toMatchObject({ event: 'sealed:handshake' });
    expect(again.data).not.toHaveProperty('resumed');
    expect(again.data).toHaveProperty('sig');
    expect(server.kit.getMetrics()).toMatchObject({ resumptions: 1, ticketRefusals: { TICKET_REPLAYED: 1 } });

    const other = await startSecureServer();
    try {
      const elsewhere = await firstAnswer(other.url, usedHello);
      expect(elsewhere.data).not.toHaveProperty('resumed');
      expect(other.kit.getMetrics()).toMatchObject({ resumptions: 0, ticketRefusals: { TICKET_INVALID: 1 } });
    } finally {
      await other.close();
    }
  });

  it("refuses another user's ticket, and the client then signs in with the full handshake", async () => {
    let user = 'alice';
    server = await startSecureServer();
    const connected = await connectedClient(server.url, { credentials: () => ({ token: user }) });
    const failures: Array<{ code: string }> = [];
    connected.client.on(ClientLifecycleEvent.FAILURE, (failure: { code: string }) => void failures.push(failure));
    const reopened = await dropAndReconnect(connected, () => {
      user = 'bob';
    });
    expect(reopened).toMatchObject({ resumed: false, userId: 'bob' });
    expect(failures.map((failure) => failure.code)).toEqual(['RESUMPTION_REFUSED']);
    expect(server.kit.getMetrics()).toMatchObject({ resumptions: 0, handshakeRefusals: { TICKET_USER_MISMATCH: 1 } });
    expect(server.helper.getClients().map((client) => client.userId)).toEqual(['bob']);
  });

  it('sends the emits made while reconnecting once and in order when the server refuses the resumption after they went early', async () => {
    let user = 'alice';
    const handled: number[] = [];
    server = await startSecureServer({ server: { messageHandler: ({ data }) => void handled.push((data as { n: number }).n) } });
    const connected = await connectedClient(server.url, { credentials: () => ({ token: user }) });
    const emits: Array<Promise<void>> = [];
    connected.client.on(ClientLifecycleEvent.RECONNECTING, () => {
      if (emits.length === 0) for (const n of [1, 2, 3]) emits.push(connected.client.emit('note', { n }));
    });
    const failures: Array<{ code: string }> = [];
    connected.client.on(ClientLifecycleEvent.FAILURE, (failure: { code: string }) => void failures.push(failure));

    // Another user's credentials behind alice's ticket: the server takes the ticket, then refuses the resumed connection.
    expect(await dropAndReconnect(connected, () => (user = 'bob'))).toMatchObject({ resumed: false, userId: 'bob' });
    await Promise.all(emits);

    expect(failures.map((failure) => failure.code)).toEqual(['RESUMPTION_REFUSED']);
    await expect.poll(() => handled).toEqual([1, 2, 3]);
  });

  it('keeps a ticket whose connection never opened (the server was down) and resumes with it once the server is back', async () => {
    const identity = nodeCrypto.ed25519KeyPair();
    server = await startSecureServer({ identity });
    const { port } = new URL(server.url);
    const connected = await connectedClient(server.url);
    const socket = connected.network.sockets.at(-1)!;
    await expect.poll(() => connected.network.binaryFrames.get(socket) ?? 0).toBeGreaterThanOrEqual(FRAMES_UP_TO_TICKET);
    await sleep(TICKET_READ_MS);
    await server.close();
    // Attempts while the server is down: each offers the ticket in an upgrade that is never answered.
    const attempts = connected.network.sockets.length;
    await expect.poll(() => connected.network.sockets.length, { timeout: 3_000 }).toBeGreaterThan(attempts + 1);
    server = await startSecureServer({ identity, port: Number(port) });
    await expect.poll(() => connected.opens.length, { timeout: 3_000 }).toBe(2);
    expect(connected.opens[1]).toMatchObject({ resumed: true, userId: 'alice' });
  });

  it('does not present tickets when the client is told not to resume', async () => {
    server = await startSecureServer();
    const connected = await connectedClient(server.url, { resume: false });
    expect(await dropAndReconnect(connected)).toMatchObject({ resumed: false });
    expect(connected.network.hellos.every((hello) => !('ticket' in JSON.parse(hello).data.sealed))).toBe(true);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sends one text frame on a fresh socket and returns the server's first answer. */
async function firstAnswer(url: string, text: string): Promise<{ event: string; data: Record<string, unknown> }> {
  const socket = new WebSocket(url);
  try {
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const answer = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    socket.send(text);
    return JSON.parse(await answer) as { event: string; data: Record<string, unknown> };
  } finally {
    socket.terminate();
  }
}
