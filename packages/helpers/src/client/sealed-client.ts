import type { AeadSuite } from '../crypto/aead-suite.ts';
import { toBase64, fromBase64, utf8Decode, utf8Encode } from '../crypto/bytes.ts';
import { completeClientHandshake, createClientHello, sealHelloCredentials, type PendingClientHandshake } from '../crypto/client-handshake.ts';
import type { CryptoProvider, RawKeyPair } from '../crypto/crypto-provider.ts';
import { HANDSHAKE_FIELD, type ClientHelloWire } from '../crypto/handshake-messages.ts';
import { identityFingerprint } from '../crypto/identity-fingerprint.ts';
import { InMemoryPinStore, type PinStore } from '../crypto/pin-store.ts';
import { PortableCryptoProvider } from '../crypto/portable-crypto-provider.ts';
import type { SecureChannel } from '../crypto/secure-channel.ts';
import { SecurityLevel } from '../crypto/security-level.ts';
import { CloseCode } from '../protocol/close-codes.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { ClientEvent, ServerEvent } from '../protocol/event-names.ts';
import { encodeFrame } from '../protocol/frame-codec.ts';
import { BufferedEmitter, type Listener } from './buffered-emitter.ts';
import {
  ClientFailureCode,
  ClientLifecycleEvent,
  SealedClientError,
  SealedClientState,
} from './client-state.ts';
import { RECONNECT_DEFAULTS, reconnectDelay, type ReconnectPolicy } from './reconnect-policy.ts';
import type { ConnectionInfo, EventMap, JoinResult, LeaveResult, SealedClientOptions } from './sealed-client-options.ts';
import { WEBSOCKET_OPEN, type WebSocketConstructor, type WebSocketLike } from './websocket-like.ts';

const MAX_BUFFERED_EVENTS = 100;

/** Close codes after which reconnecting cannot help. */
const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([CloseCode.NORMAL, CloseCode.AUTH_FAILED, CloseCode.ENCRYPTION_REQUIRED]);

interface Pending<T> {
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

/**
 * The Sealed client for Node (`ws`) and browsers (`WebSocket` + WebCrypto):
 * connects, authenticates, runs the handshake, verifies the server key,
 * encrypts and decrypts both ways, joins and leaves rooms with answers, and
 * reconnects with backoff and a fresh handshake, rejoining its rooms.
 *
 * @example
 * const client = new SealedClient({ url: 'wss://chat.example/ws', credentials: { token } });
 * client.on('chat', (message) => console.log(message));
 * await client.connect();
 * await client.join(['lobby']);
 * await client.emit('chat', { room: 'lobby', text: 'hello' });
 */
export class SealedClient<Incoming extends EventMap = EventMap, Outgoing extends EventMap = EventMap> {
  readonly #options: SealedClientOptions;
  readonly #crypto: CryptoProvider;
  readonly #level: SecurityLevel;
  readonly #pins: PinStore;
  readonly #reconnect: ReconnectPolicy;
  readonly #emitter: BufferedEmitter;
  readonly #now: () => number;
  #identity: RawKeyPair | undefined;
  #state: SealedClientState = SealedClientState.IDLE;
  #socket: WebSocketLike | undefined;
  #pending: PendingClientHandshake | undefined;
  #channel: SecureChannel | undefined;
  #info: ConnectionInfo | undefined;
  /** Whether the current connection's credentials went out sealed. */
  #credentialsSealed = false;
  #inboundTail: Promise<void> = Promise.resolve();
  #outboundTail: Promise<void> = Promise.resolve();
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #connecting: Pending<ConnectionInfo> | undefined;
  #connectPromise: Promise<ConnectionInfo> | undefined;
  #failure: SealedClientError | undefined;
  readonly #joins: Array<Pending<JoinResult>> = [];
  readonly #leaves: Array<Pending<LeaveResult>> = [];
  readonly #rooms = new Set<string>();

  constructor(options: SealedClientOptions) {
    this.#options = options;
    this.#crypto = options.crypto ?? new PortableCryptoProvider();
    this.#level = options.level ?? SecurityLevel.ENCRYPTED;
    this.#pins = options.pins ?? new InMemoryPinStore();
    this.#reconnect = { ...RECONNECT_DEFAULTS, ...options.reconnect };
    this.#emitter = new BufferedEmitter(options.maxBufferedEvents ?? MAX_BUFFERED_EVENTS);
    this.#now = options.now ?? Date.now;
    this.#identity = options.identity;
  }

  get state(): SealedClientState {
    return this.#state;
  }

  /** Set while open. */
  get connection(): ConnectionInfo | undefined {
    return this.#info;
  }

  /** The rooms the server last said this client is in. */
  get rooms(): string[] {
    return [...this.#rooms];
  }

  /** The client's identity public key, base64 (what the server pins for this user). */
  get identityPublicKey(): string {
    return toBase64(this.#ensureIdentity().publicKey);
  }

  /** Listens to an application event, a server `error`, or a `sealed:` lifecycle event. */
  on<K extends keyof Incoming & string>(event: K, listener: Listener<Incoming[K]>): () => void;
  on(event: string, listener: Listener<any>): () => void;
  on(event: string, listener: Listener<any>): () => void {
    return this.#emitter.on(event, listener);
  }

  off(event: string, listener: Listener<any>): void {
    this.#emitter.off(event, listener);
  }

  /**
   * Connects, authenticates and completes the handshake. Resolves once open;
   * rejects with a `SealedClientError` on a refusal that retrying cannot fix
   * (bad credentials, server key mismatch, downgrade) or when closed.
   */
  connect(): Promise<ConnectionInfo> {
    if (this.#state === SealedClientState.OPEN && this.#info) return Promise.resolve(this.#info);
    if (this.#connectPromise) return this.#connectPromise;
    if (this.#state === SealedClientState.CLOSED) this.#state = SealedClientState.IDLE;
    this.#failure = undefined;
    this.#connectPromise = new Promise<ConnectionInfo>((resolve, reject) => {
      this.#connecting = { resolve, reject };
    });
    this.#openSocket();
    return this.#connectPromise;
  }

  /** Sends an application event; encrypted when the connection is. */
  emit<K extends keyof Outgoing & string>(event: K, data: Outgoing[K]): Promise<void>;
  emit(event: string, data?: unknown): Promise<void>;
  emit(event: string, data?: unknown): Promise<void> {
    return this.#send(event, data);
  }

  /** Asks to join rooms; resolves with the server's answer. */
  join(rooms: string[]): Promise<JoinResult> {
    return this.#request(this.#joins, ClientEvent.JOIN, rooms);
  }

  /** Asks to leave rooms; resolves with the server's answer. */
  leave(rooms: string[]): Promise<LeaveResult> {
    return this.#request(this.#leaves, ClientEvent.LEAVE, rooms);
  }

  /** Closes for good: no reconnect. */
  close(): void {
    this.#state = SealedClientState.CLOSED;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#settleConnect(new SealedClientError(ClientFailureCode.CLOSED, 'Client closed'));
    this.#socket?.close(CloseCode.NORMAL, 'Client closed');
    this.#teardown();
  }

  #ensureIdentity(): RawKeyPair {
    this.#identity ??= this.#crypto.ed25519KeyPair();
    return this.#identity;
  }

  #openSocket(): void {
    const WebSocketClass = this.#options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WebSocketClass) throw new Error('No WebSocket implementation: pass the "WebSocket" option (e.g. from "ws")');
    this.#state = SealedClientState.CONNECTING;
    const socket = new WebSocketClass(this.#options.url);
    socket.binaryType = 'arraybuffer';
    this.#socket = socket;
    socket.addEventListener('open', () => void this.#authenticate(socket));
    socket.addEventListener('message', (event) => {
      this.#inboundTail = this.#inboundTail.then(() => this.#onMessage(socket, event.data));
    });
    socket.addEventListener('close', (event) => this.#onClose(socket, event.code, event.reason));
    socket.addEventListener('error', () => undefined);
  }

  async #authenticate(socket: WebSocketLike): Promise<void> {
    if (socket !== this.#socket) return;
    this.#state = SealedClientState.AUTHENTICATING;
    const { credentials } = this.#options;
    let payload: Record<string, unknown> = { ...(typeof credentials === 'function' ? await credentials() : credentials) };
    this.#credentialsSealed = false;
    if (this.#level !== SecurityLevel.NONE) {
      const { hello, pending } = createClientHello({
        crypto: this.#crypto,
        level: this.#level,
        identity: this.#ensureIdentity(),
        nowMs: this.#now(),
        suites: this.#options.suites,
      });
      this.#pending = pending;
      const serverIdentity = this.#options.sealCredentials ? await this.#knownServerKey() : undefined;
      if (serverIdentity) {
        let sealedHello: ClientHelloWire;
        try {
          sealedHello = await sealHelloCredentials({ crypto: this.#crypto, hello, pending, serverIdentity, credentials: payload });
        } catch {
          return this.#abort(ClientFailureCode.HANDSHAKE_FAILED, 'The known server key cannot seal credentials');
        }
        // Only the hello goes out: the credentials are inside it, sealed to the server key.
        payload = { [HANDSHAKE_FIELD]: sealedHello };
        this.#credentialsSealed = true;
      } else {
        payload[HANDSHAKE_FIELD] = hello;
      }
    }
    if (socket === this.#socket && socket.readyState === WEBSOCKET_OPEN) {
      socket.send(encodeFrame(ClientEvent.AUTHENTICATE, payload));
    }
  }

  /** The failure code of a server `error` before the connection opened. */
  #refusalCode(serverCode: unknown): ClientFailureCode {
    if (serverCode !== ErrorCode.AUTH_FAILED) return ClientFailureCode.REFUSED;
    return this.#credentialsSealed ? ClientFailureCode.SEALED_CREDENTIALS_REFUSED : ClientFailureCode.AUTH_FAILED;
  }

  /** The server identity key configured or pinned for this server, if any. */
  async #knownServerKey(): Promise<Uint8Array | undefined> {
    const known = this.#options.serverKey ?? (await this.#pins.get(this.#pinName()));
    return known === undefined ? undefined : fromBase64(known);
  }

  #pinName(): string {
    return this.#options.pinName ?? new URL(this.#options.url).host;
  }

  async #onMessage(socket: WebSocketLike, raw: unknown): Promise<void> {
    if (socket !== this.#socket) return;
    if (this.#channel) {
      if (typeof raw === 'string') return this.#abort(ClientFailureCode.CRYPTO_FAILURE, 'Plaintext frame on an encrypted connection');
      const opened = await this.#channel.open(new Uint8Array(raw as ArrayBuffer));
      if (!opened.ok) return this.#abort(ClientFailureCode.CRYPTO_FAILURE, `Encrypted frame refused (${opened.failure})`);
      return this.#dispatch(JSON.parse(utf8Decode(opened.plaintext)) as { event: string; data: unknown });
    }
    if (typeof raw !== 'string') return;
    const message = JSON.parse(raw) as { event: string; data: any };
    if (this.#state === SealedClientState.AUTHENTICATING && message.event === ServerEvent.CONNECTED) {
      return this.#onConnected(message.data);
    }
    if (this.#state !== SealedClientState.OPEN && message.event === ServerEvent.ERROR) {
      // A refusal before the connection opened; the server closes next, and the client does not retry it.
      const failure = new SealedClientError(this.#refusalCode(message.data?.code), String(message.data?.message ?? 'Refused'));
      this.#failure = failure;
      this.#emitter.emit(ClientLifecycleEvent.FAILURE, { code: failure.code, message: failure.message });
    }
    return this.#dispatch(message);
  }

  async #onConnected(data: { id: string; userId: string; [HANDSHAKE_FIELD]?: unknown }): Promise<void> {
    let serverFingerprint: string | undefined;
    let suite: AeadSuite | undefined;
    if (this.#level !== SecurityLevel.NONE) {
      const expected = this.#options.serverKey === undefined ? undefined : fromBase64(this.#options.serverKey);
      const result = await completeClientHandshake({
        crypto: this.#crypto,
        pending: this.#pending!,
        reply: data[HANDSHAKE_FIELD],
        clientId: data.id,
        userId: data.userId,
        trust: { expected, pins: this.#pins, pinName: this.#pinName() },
        nowMs: this.#now(),
        rekey: this.#options.rekey,
      });
      this.#pending = undefined;
      if (!result.ok) {
        const code =
          result.failure === 'SERVER_KEY_MISMATCH'
            ? ClientFailureCode.SERVER_KEY_MISMATCH
            : result.failure === 'DOWNGRADE' || result.failure === 'MISSING_HANDSHAKE'
              ? ClientFailureCode.DOWNGRADE
              : ClientFailureCode.HANDSHAKE_FAILED;
        return this.#abort(code, `Handshake failed: ${result.failure}`);
      }
      this.#channel = result.channel;
      suite = result.suite;
      serverFingerprint = identityFingerprint(this.#crypto, result.serverIdentity);
    }
    this.#info = { clientId: data.id, userId: data.userId, level: this.#level, suite, serverFingerprint, credentialsSealed: this.#credentialsSealed };
    this.#state = SealedClientState.OPEN;
    this.#attempt = 0;
    const rejoin = [...this.#rooms];
    this.#emitter.emit(ClientLifecycleEvent.OPEN, this.#info);
    this.#settleConnect(undefined, this.#info);
    if (rejoin.length > 0) void this.join(rejoin).catch(() => undefined);
  }

  #dispatch(message: { event: string; data: any }): void {
    switch (message.event) {
      case ServerEvent.JOINED:
        this.#syncRooms(message.data?.current);
        this.#joins.shift()?.resolve(message.data as JoinResult);
        return;
      case ServerEvent.LEFT:
        this.#syncRooms(message.data?.current);
        this.#leaves.shift()?.resolve(message.data as LeaveResult);
        return;
      default:
        this.#emitter.emit(message.event, message.data);
    }
  }

  #syncRooms(current: unknown): void {
    if (!Array.isArray(current)) return;
    this.#rooms.clear();
    for (const room of current) if (typeof room === 'string') this.#rooms.add(room);
  }

  #request<T>(queue: Array<Pending<T>>, event: string, rooms: string[]): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push({ resolve, reject });
      this.#send(event, { rooms }).catch((error: Error) => {
        const index = queue.findIndex((pending) => pending.resolve === resolve);
        if (index >= 0) queue.splice(index, 1);
        reject(error);
      });
    });
  }

  #send(event: string, data: unknown): Promise<void> {
    const socket = this.#socket;
    if (this.#state !== SealedClientState.OPEN || !socket) {
      return Promise.reject(new SealedClientError(ClientFailureCode.NOT_OPEN, 'The connection is not open'));
    }
    const text = encodeFrame(event, data);
    const channel = this.#channel;
    // The sequence number is taken now; the chain keeps the writes in that order even if sealing is asynchronous.
    const frame: Promise<string | Uint8Array> | string | Uint8Array = channel ? channel.seal(utf8Encode(text), this.#now()) : text;
    const sent = this.#outboundTail.then(async () => {
      const bytes = await frame;
      if (socket.readyState !== WEBSOCKET_OPEN) throw new SealedClientError(ClientFailureCode.NOT_OPEN, 'The connection closed');
      socket.send(bytes);
    });
    this.#outboundTail = sent.catch(() => undefined);
    return sent;
  }

  #abort(code: ClientFailureCode, message: string): void {
    this.#failure = new SealedClientError(code, message);
    this.#emitter.emit(ClientLifecycleEvent.FAILURE, { code, message });
    const closeCode = code === ClientFailureCode.CRYPTO_FAILURE ? CloseCode.CRYPTO_FAILURE : CloseCode.ENCRYPTION_REQUIRED;
    this.#socket?.close(closeCode, message);
  }

  #onClose(socket: WebSocketLike, code: number, reason: string): void {
    if (socket !== this.#socket) return;
    this.#teardown();
    const failure = this.#failure;
    const fatal = FATAL_CLOSE_CODES.has(code) || (failure !== undefined && failure.code !== ClientFailureCode.CRYPTO_FAILURE);
    const retry =
      this.#state !== SealedClientState.CLOSED && !fatal && this.#reconnect.enabled && this.#attempt < this.#reconnect.maxAttempts;
    // The state is settled before anyone hears of the close, so listeners see where the client is going.
    this.#state = retry ? SealedClientState.RECONNECTING : SealedClientState.CLOSED;
    this.#emitter.emit(ClientLifecycleEvent.CLOSE, { code, reason });
    if (!retry) {
      this.#settleConnect(failure ?? new SealedClientError(ClientFailureCode.CLOSED, `Connection closed (${code})`, code));
      return;
    }
    const delayMs = reconnectDelay(this.#reconnect, this.#attempt);
    this.#attempt += 1;
    this.#emitter.emit(ClientLifecycleEvent.RECONNECTING, { attempt: this.#attempt, delayMs });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#failure = undefined;
      this.#openSocket();
    }, delayMs);
  }

  /** Drops everything tied to the socket that just went: keys, answers still awaited. */
  #teardown(): void {
    this.#channel?.close();
    this.#channel = undefined;
    this.#pending = undefined;
    this.#info = undefined;
    const closed = new SealedClientError(ClientFailureCode.NOT_OPEN, 'The connection closed');
    for (const pending of this.#joins.splice(0)) pending.reject(closed);
    for (const pending of this.#leaves.splice(0)) pending.reject(closed);
  }

  #settleConnect(error: SealedClientError | undefined, info?: ConnectionInfo): void {
    const connecting = this.#connecting;
    this.#connecting = undefined;
    this.#connectPromise = undefined;
    if (!connecting) return;
    if (error) connecting.reject(error);
    else connecting.resolve(info!);
  }
}
