import type { AeadSuite } from '../crypto/aead-suite.ts';
import { fromBase64, utf8Decode, utf8Encode, zeroize } from '../crypto/bytes.ts';
import { completeClientHandshake, createClientHello, sealHelloCredentials, type PendingClientHandshake } from '../crypto/client-handshake.ts';
import type { CryptoProvider, RawKeyPair } from '../crypto/crypto-provider.ts';
import { HANDSHAKE_FIELD, type ClientHelloWire } from '../crypto/handshake-messages.ts';
import { identityFingerprint } from '../crypto/identity-fingerprint.ts';
import type { PinStore } from '../crypto/pin-store.ts';
import type { RekeyPolicy, SecureChannel } from '../crypto/secure-channel.ts';
import { SecurityLevel } from '../crypto/security-level.ts';
import { CloseCode } from '../protocol/close-codes.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { ClientEvent, ServerEvent } from '../protocol/event-names.ts';
import { decodeTextFrame, encodeFrame, type DecodeResult, type ProtocolMessage } from '../protocol/frame-codec.ts';
import type { ValueOrPromise } from '../types/value-or-promise.ts';
import { ClientFailureCode, SealedClientError } from './sealed-client-error.ts';
import type { ConnectionInfo } from './sealed-client-options.ts';
import { WEBSOCKET_OPEN, type WebSocketLike } from './websocket-like.ts';

/** What one connection needs to authenticate and run the handshake. */
export interface ClientConnectionSettings {
  crypto: CryptoProvider;
  level: SecurityLevel;
  /** The client's identity key pair, made on first use. */
  identity: () => RawKeyPair;
  credentials: Record<string, unknown> | (() => ValueOrPromise<Record<string, unknown>>);
  suites: readonly AeadSuite[] | undefined;
  sealCredentials: boolean;
  serverKey: string | undefined;
  pins: PinStore;
  pinName: string;
  rekey: RekeyPolicy | undefined;
  maxFrameBytes: number;
  now: () => number;
}

/** What a connection tells its owner, in the order things happen. */
export interface ClientConnectionEvents {
  /** The socket opened; the `authenticate` frame goes out next. */
  onAuthenticating(): void;
  /** Authenticated and, where asked, encrypted. */
  onOpen(info: ConnectionInfo): void;
  /** A frame from the server, decoded and checked, once open (and a server `error` before that). */
  onMessage(message: ProtocolMessage): void;
  /** Something that does not end the connection: a frame that was dropped. */
  onProblem(problem: SealedClientError): void;
  /** The connection is given up: a refusal by the server or a security failure. `onClose` follows. */
  onFailure(failure: SealedClientError): void;
  /** The socket closed; `failure` is set when the connection was given up first. */
  onClose(code: number, reason: string, failure: SealedClientError | undefined): void;
}

/** The close code a client sends when it gives up for `code`. */
function closeCodeFor(code: ClientFailureCode): number {
  switch (code) {
    case ClientFailureCode.CRYPTO_FAILURE:
      return CloseCode.CRYPTO_FAILURE;
    case ClientFailureCode.PROTOCOL_VIOLATION:
      return CloseCode.PROTOCOL_VIOLATION;
    case ClientFailureCode.CREDENTIALS_FAILED:
      return CloseCode.NORMAL;
    default:
      return CloseCode.ENCRYPTION_REQUIRED;
  }
}

/** The client failure code of a failed handshake. */
function handshakeFailureCode(failure: string): ClientFailureCode {
  if (failure === 'SERVER_KEY_MISMATCH') return ClientFailureCode.SERVER_KEY_MISMATCH;
  if (failure === 'DOWNGRADE' || failure === 'MISSING_HANDSHAKE') return ClientFailureCode.DOWNGRADE;
  return ClientFailureCode.HANDSHAKE_FAILED;
}

/** Most UTF-8 bytes one UTF-16 code unit takes. */
const MAX_UTF8_BYTES_PER_CODE_UNIT = 3;

/** Whether an inbound frame, as the socket handed it over, is longer than `maxBytes`. */
function isLargerThan(raw: unknown, maxBytes: number): boolean {
  if (typeof raw === 'string') {
    // Text arrives decoded: only a frame near the limit is encoded again to count its bytes.
    if (raw.length * MAX_UTF8_BYTES_PER_CODE_UNIT <= maxBytes) return false;
    return raw.length > maxBytes || utf8Encode(raw).byteLength > maxBytes;
  }
  if (raw instanceof ArrayBuffer || ArrayBuffer.isView(raw)) return raw.byteLength > maxBytes;
  return false;
}

/**
 * One socket's life on the client: authenticate, handshake, then encrypted
 * (or plaintext) frames both ways. Inbound frames are handled one at a time
 * in arrival order, on a chain that catches every failure, so one bad frame
 * or a throwing listener never stops the frames after it. Reconnecting,
 * rooms and listeners belong to the `SealedClient` that owns it.
 *
 * Before `connected`, only `connected` and `error` are accepted; anything
 * else ends the connection with 4008, so nothing reaches the application
 * before the server has proved its key.
 */
export class ClientConnection {
  readonly #socket: WebSocketLike;
  readonly #settings: ClientConnectionSettings;
  readonly #events: ClientConnectionEvents;
  #pending: PendingClientHandshake | undefined;
  #channel: SecureChannel | undefined;
  #open = false;
  #closed = false;
  #failure: SealedClientError | undefined;
  #credentialsSealed = false;
  #inboundTail: Promise<void> = Promise.resolve();
  #outboundTail: Promise<void> = Promise.resolve();

  /**
   * Opens a socket to `url` with `WebSocketClass`.
   *
   * @throws SealedClientError `INVALID_URL` when the WebSocket class refuses the URL.
   */
  constructor(
    WebSocketClass: new (url: string) => WebSocketLike,
    url: string,
    settings: ClientConnectionSettings,
    events: ClientConnectionEvents,
  ) {
    this.#settings = settings;
    this.#events = events;
    try {
      this.#socket = new WebSocketClass(url);
    } catch (cause) {
      throw new SealedClientError(ClientFailureCode.INVALID_URL, `Cannot open a WebSocket to "${url}"`, { cause });
    }
    const socket = this.#socket;
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => {
      this.#events.onAuthenticating();
      this.#authenticate().catch((cause) =>
        this.#giveUp(new SealedClientError(ClientFailureCode.CREDENTIALS_FAILED, 'The credentials could not be produced', { cause })),
      );
    });
    socket.addEventListener('message', (event) => {
      this.#inboundTail = this.#inboundTail
        .then(() => this.#onFrame(event.data))
        .catch((cause) => this.#problem(ClientFailureCode.MALFORMED_FRAME, 'A frame from the server could not be handled', cause));
    });
    socket.addEventListener('close', (event) => this.#onClose(event.code, event.reason));
    socket.addEventListener('error', () => undefined);
  }

  /** Whether the connection is open: authenticated and, where asked, encrypted. */
  get isOpen(): boolean {
    return this.#open && !this.#closed;
  }

  /**
   * Sends an application or protocol event, sealed when the connection is
   * encrypted. Frames go out in the order of the calls.
   *
   * @throws SealedClientError `NOT_OPEN` (as a rejection) when not open, or when the socket closed first.
   */
  send(event: string, data: unknown): Promise<void> {
    if (!this.isOpen) return Promise.reject(new SealedClientError(ClientFailureCode.NOT_OPEN, 'The connection is not open'));
    const text = encodeFrame(event, data);
    const channel = this.#channel;
    // The sequence number is taken now; the chain keeps the writes in that order even if sealing is asynchronous.
    let frame: Promise<string | Uint8Array> | string | Uint8Array;
    try {
      frame = channel ? channel.seal(utf8Encode(text), this.#settings.now()) : text;
    } catch (cause) {
      return Promise.reject(new SealedClientError(ClientFailureCode.NOT_OPEN, 'The connection closed', { cause }));
    }
    const sent = this.#outboundTail.then(async () => {
      const bytes = await frame;
      if (this.#socket.readyState !== WEBSOCKET_OPEN) throw new SealedClientError(ClientFailureCode.NOT_OPEN, 'The connection closed');
      this.#socket.send(bytes);
    });
    this.#outboundTail = sent.catch(() => undefined);
    return sent;
  }

  /** Closes the socket; keys are dropped when it has closed. */
  close(code: number, reason: string): void {
    this.#socket.close(code, reason);
  }

  async #authenticate(): Promise<void> {
    const settings = this.#settings;
    const { credentials } = settings;
    let payload: Record<string, unknown> = { ...(typeof credentials === 'function' ? await credentials() : credentials) };
    if (settings.level !== SecurityLevel.NONE) {
      const { hello, pending } = createClientHello({
        crypto: settings.crypto,
        level: settings.level,
        identity: settings.identity(),
        nowMs: settings.now(),
        suites: settings.suites,
      });
      this.#pending = pending;
      const serverIdentity = settings.sealCredentials ? await this.#knownServerKey() : undefined;
      if (serverIdentity) {
        let sealedHello: ClientHelloWire;
        try {
          sealedHello = await sealHelloCredentials({ crypto: settings.crypto, hello, pending, serverIdentity, credentials: payload });
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
    if (!this.#closed && this.#socket.readyState === WEBSOCKET_OPEN) {
      this.#socket.send(encodeFrame(ClientEvent.AUTHENTICATE, payload));
    }
  }

  /** The server identity key configured or pinned for this server, if any. */
  async #knownServerKey(): Promise<Uint8Array | undefined> {
    const known = this.#settings.serverKey ?? (await this.#settings.pins.get(this.#settings.pinName));
    return known === undefined ? undefined : fromBase64(known);
  }

  async #onFrame(raw: unknown): Promise<void> {
    if (this.#closed || this.#failure) return;
    if (isLargerThan(raw, this.#settings.maxFrameBytes)) {
      return this.#problem(ClientFailureCode.FRAME_TOO_LARGE, `A frame from the server is larger than ${this.#settings.maxFrameBytes} bytes`);
    }
    if (this.#channel) return this.#onEncryptedFrame(this.#channel, raw);
    if (typeof raw !== 'string') {
      if (!this.#open) return this.#abort(ClientFailureCode.PROTOCOL_VIOLATION, 'A binary frame arrived before the connection opened');
      return this.#problem(ClientFailureCode.MALFORMED_FRAME, 'A binary frame arrived on a plaintext connection');
    }
    this.#onMessageText(raw);
  }

  async #onEncryptedFrame(channel: SecureChannel, raw: unknown): Promise<void> {
    if (typeof raw === 'string') return this.#abort(ClientFailureCode.CRYPTO_FAILURE, 'Plaintext frame on an encrypted connection');
    const opened = await channel.open(new Uint8Array(raw as ArrayBuffer));
    if (!opened.ok) return this.#abort(ClientFailureCode.CRYPTO_FAILURE, `Encrypted frame refused (${opened.code})`);
    let text: string;
    try {
      text = utf8Decode(opened.plaintext);
    } catch {
      return this.#problem(ClientFailureCode.MALFORMED_FRAME, 'An encrypted frame does not hold UTF-8 text');
    }
    return this.#onMessageText(text);
  }

  #onMessageText(text: string): void | Promise<void> {
    const decoded = decodeTextFrame(text);
    if (!this.#open) return this.#beforeOpen(decoded);
    if (!decoded.ok) return this.#problem(ClientFailureCode.MALFORMED_FRAME, `A frame from the server was dropped: ${decoded.reason}`);
    return this.#events.onMessage(decoded.message);
  }

  /**
   * Before the connection is open the server may send `connected` (with the
   * handshake reply) or a refusal (`error`), nothing else: anything else was
   * put on the path by someone else, and ends the connection (4008).
   */
  #beforeOpen(decoded: DecodeResult): void | Promise<void> {
    if (!decoded.ok) return this.#abort(ClientFailureCode.PROTOCOL_VIOLATION, `A malformed frame arrived before the connection opened: ${decoded.reason}`);
    const { message } = decoded;
    const expectsConnected = this.#settings.level === SecurityLevel.NONE || this.#pending !== undefined;
    if (message.event === ServerEvent.CONNECTED && expectsConnected) return this.#onConnected(message.data);
    if (message.event === ServerEvent.ERROR) return this.#onRefusal(message);
    return this.#abort(ClientFailureCode.PROTOCOL_VIOLATION, `Event "${message.event}" arrived before the connection opened`);
  }

  /** A server `error` before the connection opened: a refusal; the server closes next, and the client does not retry it. */
  #onRefusal(message: ProtocolMessage): void {
    const data = (typeof message.data === 'object' && message.data !== null ? message.data : {}) as { code?: unknown; message?: unknown };
    const failure = new SealedClientError(this.#refusalCode(data.code), String(data.message ?? 'Refused'));
    this.#failure = failure;
    this.#events.onFailure(failure);
    this.#events.onMessage(message);
  }

  /** The failure code of a server `error` before the connection opened. */
  #refusalCode(serverCode: unknown): ClientFailureCode {
    if (serverCode !== ErrorCode.AUTH_FAILED) return ClientFailureCode.REFUSED;
    return this.#credentialsSealed ? ClientFailureCode.SEALED_CREDENTIALS_REFUSED : ClientFailureCode.AUTH_FAILED;
  }

  async #onConnected(data: unknown): Promise<void> {
    const fields = (typeof data === 'object' && data !== null ? data : {}) as { id?: unknown; userId?: unknown; [HANDSHAKE_FIELD]?: unknown };
    const { id: clientId, userId } = fields;
    if (typeof clientId !== 'string' || typeof userId !== 'string') {
      return this.#abort(ClientFailureCode.PROTOCOL_VIOLATION, 'The connected frame lacks the client id or the user id');
    }
    const settings = this.#settings;
    let serverFingerprint: string | undefined;
    let suite: AeadSuite | undefined;
    if (settings.level !== SecurityLevel.NONE) {
      const pending = this.#pending!;
      this.#pending = undefined;
      const result = await completeClientHandshake({
        crypto: settings.crypto,
        pending,
        reply: fields[HANDSHAKE_FIELD],
        clientId,
        userId,
        trust: {
          expected: settings.serverKey === undefined ? undefined : fromBase64(settings.serverKey),
          pins: settings.pins,
          pinName: settings.pinName,
        },
        nowMs: settings.now(),
        rekey: settings.rekey,
      });
      if (!result.ok) return this.#abort(handshakeFailureCode(result.code), `Handshake failed: ${result.code}`);
      if (this.#closed) {
        result.channel?.close();
        return;
      }
      this.#channel = result.channel;
      suite = result.suite;
      serverFingerprint = identityFingerprint(settings.crypto, result.serverIdentity);
    }
    this.#open = true;
    this.#events.onOpen({
      clientId,
      userId,
      level: settings.level,
      suite,
      serverFingerprint,
      credentialsSealed: this.#credentialsSealed,
    });
  }

  #problem(code: ClientFailureCode, message: string, cause?: unknown): void {
    this.#events.onProblem(new SealedClientError(code, message, { cause }));
  }

  #abort(code: ClientFailureCode, message: string): void {
    this.#giveUp(new SealedClientError(code, message));
  }

  /** Gives up on this connection: says why, then closes with the code that names it. */
  #giveUp(failure: SealedClientError): void {
    if (this.#failure || this.#closed) return;
    this.#failure = failure;
    this.#events.onFailure(failure);
    this.#socket.close(closeCodeFor(failure.code), failure.message);
  }

  #onClose(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#open = false;
    this.#channel?.close();
    this.#channel = undefined;
    if (this.#pending) zeroize(this.#pending.ephemeral.secretKey);
    this.#pending = undefined;
    this.#events.onClose(code, reason, this.#failure);
  }
}
