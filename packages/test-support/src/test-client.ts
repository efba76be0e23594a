import { WebSocket, type ClientOptions } from 'ws';

/** A frame the server sent, decoded. */
export interface ReceivedMessage {
  event: string;
  data: any;
  /** A room message's position in its room's history, when the room keeps one. */
  position?: { room: string; offset: number; epoch: string };
  /** The id of the request this frame is, or answers. */
  ack?: number;
}

const DEFAULT_WAIT_MS = 5_000;

/**
 * A raw `ws` client for integration tests: records every frame the server
 * sends and lets a test await the next one by event name, or the close.
 */
export class TestClient {
  readonly socket: WebSocket;
  readonly received: ReceivedMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #waiters: Array<{ event: string; resolve: (message: ReceivedMessage) => void }> = [];
  readonly #taken = new Set<number>();
  /** The connection id the server gave in `connected`, once authenticated. */
  id: string | undefined;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    socket.on('message', (data, isBinary) => {
      const message = JSON.parse(isBinary ? Buffer.from(data as Buffer).toString() : data.toString()) as ReceivedMessage;
      this.received.push(message);
      this.#drain();
    });
    socket.on('error', () => undefined);
  }

  /** Opens a connection, offering `protocols` as subprotocols when given, and waits until it is open. */
  static async connect(url: string, options: ClientOptions = {}, protocols: string[] = []): Promise<TestClient> {
    const socket = new WebSocket(url, protocols, options);
    const client = new TestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`Unexpected response ${response.statusCode}`)),
      );
    });
    return client;
  }

  /**
   * Connects as `user` with the test servers' demo credentials (`{ token: user }`)
   * and joins `rooms` (when given), waiting for each answer.
   */
  static async as(url: string, user: string, rooms: readonly string[] = []): Promise<TestClient> {
    const { client } = await TestClient.authenticated(url, { token: user });
    if (rooms.length > 0) {
      client.send('join', { rooms });
      await client.next('joined');
    }
    return client;
  }

  /** Connects and authenticates; resolves with the `connected` payload. */
  static async authenticated(url: string, token: unknown, options: ClientOptions = {}): Promise<{ client: TestClient; connected: any }> {
    const client = await TestClient.connect(url, options);
    client.send('authenticate', token);
    const connected = await client.next('connected');
    client.id = connected.data?.id;
    return { client, connected: connected.data };
  }

  send(event: string, data?: unknown): void {
    this.socket.send(JSON.stringify(data === undefined ? { event } : { event, data }));
  }

  sendRaw(frame: string | Buffer, options: { binary?: boolean } = {}): void {
    this.socket.send(frame, { binary: options.binary ?? typeof frame !== 'string' });
  }

  /**
   * Resolves with the next message of `event` not yet taken by an earlier
   * `next`; messages of other events are skipped over but kept in `received`.
   */
  next(event: string, timeoutMs = DEFAULT_WAIT_MS): Promise<ReceivedMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No "${event}" within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push({
        event,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      });
      this.#drain();
    });
  }

  /** Messages of one event received so far. */
  all(event: string): ReceivedMessage[] {
    return this.received.filter((message) => message.event === event);
  }

  close(): Promise<{ code: number; reason: string }> {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.close();
    return this.closed;
  }

  #drain(): void {
    for (let w = 0; w < this.#waiters.length; ) {
      const waiter = this.#waiters[w]!;
      const index = this.received.findIndex((message, i) => !this.#taken.has(i) && message.event === waiter.event);
      if (index === -1) {
        w += 1;
        continue;
      }
      this.#taken.add(index);
      this.#waiters.splice(w, 1);
      waiter.resolve(this.received[index]!);
    }
  }
}
