import type { AeadSuite } from '../crypto/aead-suite.ts';
import { utf8Decode, utf8Encode, zeroize } from '../crypto/bytes.ts';
import type { PendingClientHandshake } from '../crypto/client-handshake.ts';
import { readTicket, type HeldTicket } from '../crypto/client-resumption.ts';
import { identityFingerprint } from '../crypto/identity-fingerprint.ts';
import type { SecureChannel } from '../crypto/secure-channel.ts';
import { SecurityLevel } from '../crypto/security-level.ts';
import { ClientEvent, ServerEvent } from '../protocol/event-names.ts';
import { FRAME_LIMIT_DEFAULTS, decodeTextFrame, encodeFrame, type DecodeResult, type ProtocolMessage } from '../protocol/frame-codec.ts';
import { ClientFailureCode, SealedClientError } from './sealed-client-error.ts';
import { EarlyData } from './early-data.ts';
import { closeCodeFor, handshakeFailureCode, refusalFailureCode } from './failure-close-code.ts';
import { isLargerThan } from './frame-size.ts';
import type { ClientConnectionSettings } from './connection-settings.ts';
import { answerServerHelloWith } from './server-hello-answer.ts';
import { InboundFrames } from './inbound-frames.ts';
import type { ClientConnectionEvents } from './client-connection-events.ts';
import { WEBSOCKET_OPEN, type WebSocketConstructor } from './websocket-like.ts';
import { OfferingSocket } from './offering-socket.ts';
import { authenticateFrame, type AuthenticateFrame } from './authenticate-frame.ts';
import { produceCredentials } from './credentials-source.ts';
import { CloseCode } from '../protocol/close-codes.ts';

/**
 * One socket's life on the client: hello (in the upgrade request when the
 * server takes it there), the server's hello, the finish (with the
 * credentials inside), then protected (or, at level `none`,
 * plaintext) frames both ways. Inbound frames are handled one at a time in
 * arrival order, on a chain that catches every failure, so one bad frame or
 * a throwing listener never stops the frames after it. Reconnecting, rooms
 * and listeners belong to the `SealedClient` that owns it.
 *
 * Before it is open, the connection accepts only what the handshake expects
 * next (`sealed:handshake`, then `connected` through the channel; or
 * `connected` at level `none`) and `error`; anything else ends it with
 * 4008, so nothing reaches the application before the server has proved its
 * key. Once the channel exists, a frame that is not protected ends it with
 * 4005.
 */
export class ClientConnection {
  /** Made once the credentials are at hand. */
  #socket: OfferingSocket | undefined;
  readonly #settings: ClientConnectionSettings;
  readonly #events: ClientConnectionEvents;
  #pending: PendingClientHandshake | undefined;
  #channel: SecureChannel | undefined;
  #suite: AeadSuite | undefined;
  #serverIdentity: Uint8Array | undefined;
  /** The ticket this connection's hello presented, until the server's hello is answered. */
  #held: HeldTicket | undefined;
  /** Whether the server took the ticket. */
  #resumed = false;
  /** What this session's tickets' secrets come from; zeroed on close. */
  #resumptionSecret: Uint8Array | undefined;
  #open = false;
  #closed = false;
  #failure: SealedClientError | undefined;
  /** The credentials as UTF-8 JSON, from the hello until they are sealed into the finish; zeroed then. */
  #credentials: Uint8Array | undefined;
  readonly #inbound = new InboundFrames((cause) =>
    this.#problem(ClientFailureCode.MALFORMED_FRAME, 'A frame from the server could not be handled', cause),
  );
  #outboundTail: Promise<void> = Promise.resolve();
  /** Set once the credentials went out: early emits may follow them until the open. */
  #credentialsSent = false;
  /** The `authenticate` frame, until the socket opened; what stops waiting for the credentials. */
  #frame: AuthenticateFrame | undefined;
  #stopCredentials: () => void;
  /** Set when a `connected` came (and was then refused): the server may have opened the connection. */
  #answered = false;
  readonly #early: EarlyData;

  /**
   * Produces the credentials, then opens a socket to `url` with
   * `WebSocketClass`, the `authenticate` frame carried in the upgrade when
   * it is at most `maxUpgradeFrameBytes`.
   *
   * @throws SealedClientError `INVALID_URL` or `CREDENTIALS_FAILED` when the credentials are at hand (produced later, the failure ends the connection instead).
   */
  constructor(WebSocketClass: WebSocketConstructor, url: string, settings: ClientConnectionSettings, events: ClientConnectionEvents) {
    this.#settings = settings;
    this.#events = events;
    this.#early = new EarlyData(settings.maxEarlyEmits, settings.maxEarlyBytes);
    this.#stopCredentials = produceCredentials(
      settings.credentials,
      (credentials) => {
        if (!this.#closed) this.#prepareAndOpen(WebSocketClass, url, credentials);
      },
      (failure) => this.#giveUp(failure),
      { timeoutMs: settings.credentialsTimeoutMs, onTimeout: () => this.#onClose(CloseCode.AUTH_TIMEOUT, 'The credentials were not produced in time') },
    );
  }

  /** Makes the `authenticate` frame, then opens the socket. @throws SealedClientError `CREDENTIALS_FAILED` (credentials that do not serialize), `INVALID_URL`. */
  #prepareAndOpen(WebSocketClass: WebSocketConstructor, url: string, produced: Record<string, unknown>): void {
    const frame = authenticateFrame(this.#settings, produced);
    this.#pending = frame.pending;
    this.#credentials = frame.credentials;
    this.#held = frame.held;
    this.#frame = frame;
    const settings = this.#settings;
    try {
      this.#socket = new OfferingSocket({
        WebSocketClass,
        url,
        frame: frame.bytes,
        offer: !settings.upgradeFrames.refused && frame.bytes.length <= settings.maxUpgradeFrameBytes,
        refusal: settings.upgradeFrames,
        events: {
          onOpen: (taken) => this.#onSocketOpen(taken),
          onMessage: (data) => this.#inbound.push(() => this.#onFrame(data)),
          onClose: (code, reason) => this.#onClose(code, reason),
        },
      });
    } catch (error) {
      this.#dropSecrets();
      throw error;
    }
  }

  /** The upgrade was answered: the `authenticate` frame goes now, unless the server took it from the upgrade. */
  #onSocketOpen(taken: boolean): void {
    this.#events.onAuthenticating();
    const frame = this.#frame!;
    this.#frame = undefined;
    const sent = taken || this.#sendText(frame.text);
    zeroize(frame.bytes);
    if (sent && this.#settings.level === SecurityLevel.NONE) this.#onCredentialsSent();
  }

  /** Whether the connection is open: authenticated and, where asked, encrypted. */
  get isOpen(): boolean {
    return this.#open && !this.#closed;
  }

  /** Whether the server may have opened the connection (and handled what went early) though the client never saw it open: it refused the `connected` that came. */
  get mayHaveOpened(): boolean {
    return this.#answered && !this.#open;
  }

  /**
   * Sends an application or protocol event (a request or a reply with its
   * `ack` id), sealed when the connection is encrypted. Frames go out in the
   * order of the calls.
   *
   * @throws SealedClientError `NOT_OPEN` (as a rejection) when not open, or when the socket closed first;
   * what serializing `data` throws (as a rejection).
   */
  send(event: string, data: unknown, ack?: number): Promise<void> {
    if (!this.isOpen) return Promise.reject(new SealedClientError(ClientFailureCode.NOT_OPEN, 'The connection is not open'));
    let text: string;
    try {
      text = encodeFrame(event, data, ack === undefined ? undefined : { ack });
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#transmit(text);
  }

  /**
   * Sends an emit right behind the credentials, before the connection is
   * open, while the early budget (`maxEarlyEmits`, `maxEarlyBytes`) has
   * room for it: the server handles it once it has opened the connection,
   * and never if it refuses it. Returns `undefined`, and takes no more early
   * emits, once one does not fit or the window is over: what is left waits
   * for the open, so order is kept.
   *
   * @throws what serializing `data` throws (a BigInt, a cycle), while the window is open: nothing is sent.
   */
  sendEarly(event: string, data: unknown): Promise<void> | undefined {
    if (!this.#credentialsSent || this.#open || this.#closed || this.#failure || !this.#early.open) return undefined;
    const text = encodeFrame(event, data);
    const plain = utf8Encode(text);
    const wireBytes = this.#channel ? this.#channel.sealedLength(plain.length) : plain.length;
    return this.#early.take(wireBytes) ? this.#transmit(text, plain) : undefined;
  }

  /** Writes one frame: `text`, sealed when the connection is protected (`plain` is its UTF-8 bytes, when already made). */
  #transmit(text: string, plain?: Uint8Array): Promise<void> {
    const channel = this.#channel;
    // The sequence number is taken now; the chain keeps the writes in that order even if sealing is asynchronous.
    let frame: Promise<string | Uint8Array> | string | Uint8Array;
    try {
      frame = channel ? channel.seal(plain ?? utf8Encode(text), this.#settings.now()) : text;
    } catch (cause) {
      return Promise.reject(new SealedClientError(ClientFailureCode.NOT_OPEN, 'The connection closed', { cause }));
    }
    const sent = this.#outboundTail.then(async () => {
      const bytes = await frame;
      const socket = this.#socket;
      if (socket?.readyState !== WEBSOCKET_OPEN) throw new SealedClientError(ClientFailureCode.NOT_OPEN, 'The connection closed');
      socket.send(bytes);
    });
    this.#outboundTail = sent.catch(() => undefined);
    return sent;
  }

  /** Closes the socket; keys are dropped when it has closed (at once when there is no socket yet). */
  close(code: number, reason: string): void {
    if (this.#socket) this.#socket.close(code, reason);
    else this.#onClose(code, reason);
  }

  #onCredentialsSent(): void {
    if (this.#failure) return;
    this.#credentialsSent = true;
    this.#events.onCredentialsSent();
  }

  /** Sends a text frame of the handshake; returns whether it went out (the socket may have closed meanwhile). */
  #sendText(text: string): boolean {
    if (this.#closed || this.#socket?.readyState !== WEBSOCKET_OPEN) return false;
    this.#socket.send(text);
    return true;
  }

  #onFrame(raw: unknown): void | Promise<void> {
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
    if (typeof raw === 'string') return this.#abort(ClientFailureCode.CRYPTO_FAILURE, 'A frame that is not protected arrived on a protected connection');
    const opened = await channel.open(new Uint8Array(raw as ArrayBuffer));
    if (!opened.ok) return this.#abort(ClientFailureCode.CRYPTO_FAILURE, `Protected frame refused (${opened.code})`);
    let text: string;
    try {
      text = utf8Decode(opened.plaintext);
    } catch {
      return this.#problem(ClientFailureCode.MALFORMED_FRAME, 'An encrypted frame does not hold UTF-8 text');
    }
    return this.#onMessageText(text);
  }

  #onMessageText(text: string): void | Promise<void> {
    const decoded = decodeTextFrame(text, FRAME_LIMIT_DEFAULTS, 'server');
    if (!this.#open) return this.#beforeOpen(decoded);
    if (!decoded.ok) return this.#problem(ClientFailureCode.MALFORMED_FRAME, `A frame from the server was dropped: ${decoded.reason}`);
    if (decoded.message.event === ServerEvent.TICKET) return this.#onTicket(decoded.message.data);
    return this.#events.onMessage(decoded.message);
  }

  /**
   * Before the connection is open the server may send its hello
   * (`sealed:handshake`, once), `connected` (through the channel, or at level
   * `none` in the clear) or a refusal (`error`), nothing else: anything else
   * was put on the path by someone else, and ends the connection (4008).
   */
  #beforeOpen(decoded: DecodeResult): void | Promise<void> {
    if (!decoded.ok) return this.#abort(ClientFailureCode.PROTOCOL_VIOLATION, `A malformed frame arrived before the connection opened: ${decoded.reason}`);
    const { message } = decoded;
    const expectsConnected = this.#settings.level === SecurityLevel.NONE || this.#channel !== undefined;
    if (message.event === ServerEvent.CONNECTED && expectsConnected) {
      this.#answered = true;
      return this.#onConnected(message.data);
    }
    if (message.event === ServerEvent.CONNECTED) {
      return this.#abort(ClientFailureCode.DOWNGRADE, 'The server opened the connection without the handshake the client asked for');
    }
    if (message.event === ServerEvent.HANDSHAKE && this.#pending) return this.#onServerHello(message.data);
    if (message.event === ServerEvent.ERROR) return this.#onRefusal(message);
    return this.#abort(ClientFailureCode.PROTOCOL_VIOLATION, `Event "${message.event}" arrived before the connection opened`);
  }

  /** A server `error` before the connection opened: a refusal; the server closes next, and the client does not retry it. */
  #onRefusal(message: ProtocolMessage): void {
    const data = (typeof message.data === 'object' && message.data !== null ? message.data : {}) as { code?: unknown; message?: unknown };
    const failure = new SealedClientError(refusalFailureCode(data.code, this.#resumed), String(data.message ?? 'Refused'));
    this.#failure = failure;
    this.#events.onFailure(failure);
    this.#events.onMessage(message);
  }

  /** A ticket for the next connection: kept by the owner, never handed to the application. */
  #onTicket(data: unknown): void {
    const secret = this.#resumptionSecret;
    if (!secret || !this.#serverIdentity || !this.#suite) {
      return this.#problem(ClientFailureCode.MALFORMED_FRAME, 'A resumption ticket arrived on a connection that has no resumption secret');
    }
    const ticket = readTicket({
      crypto: this.#settings.crypto,
      data,
      resumptionSecret: secret,
      serverIdentity: this.#serverIdentity,
      level: this.#settings.level,
      suite: this.#suite,
      nowMs: this.#settings.now(),
    });
    if (!ticket) return this.#problem(ClientFailureCode.MALFORMED_FRAME, 'A resumption ticket from the server is malformed');
    this.#events.onTicket(ticket);
  }

  /**
   * The server's hello: checked and answered with the finish, which carries
   * the credentials; from here on every frame goes through the channel.
   */
  async #onServerHello(data: unknown): Promise<void> {
    const settings = this.#settings;
    const pending = this.#pending!;
    const credentials = this.#credentials!;
    const held = this.#held;
    this.#pending = undefined;
    this.#credentials = undefined;
    this.#held = undefined;
    try {
      const { result, resumed } = await answerServerHelloWith(settings, pending, data, credentials, held);
      this.#resumed = resumed;
      if (!result.ok) return this.#abort(handshakeFailureCode(result.code), `Handshake failed: ${result.code}`);
      if (this.#closed) {
        result.channel.close();
        zeroize(result.resumptionSecret);
        return;
      }
      this.#channel = result.channel;
      this.#suite = result.suite;
      this.#serverIdentity = result.serverIdentity;
      this.#resumptionSecret = result.resumptionSecret;
      if (this.#sendText(encodeFrame(ClientEvent.HANDSHAKE_FINISH, result.finish))) this.#onCredentialsSent();
    } finally {
      zeroize(credentials);
    }
  }

  #onConnected(data: unknown): void {
    const fields = (typeof data === 'object' && data !== null ? data : {}) as { id?: unknown; userId?: unknown };
    const { id: clientId, userId } = fields;
    if (typeof clientId !== 'string' || typeof userId !== 'string') {
      return this.#abort(ClientFailureCode.PROTOCOL_VIOLATION, 'The connected frame lacks the client id or the user id');
    }
    const { level } = this.#settings;
    this.#open = true;
    this.#events.onOpen({
      clientId,
      userId,
      level,
      suite: this.#suite,
      serverFingerprint: this.#serverIdentity && identityFingerprint(this.#settings.crypto, this.#serverIdentity),
      credentialsSealed: level !== SecurityLevel.NONE,
      resumed: this.#resumed,
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
    this.close(closeCodeFor(failure.code), failure.message);
  }

  #onClose(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopCredentials();
    this.#open = false;
    this.#channel?.close();
    this.#channel = undefined;
    const held = this.#held;
    if (held && !this.#socket?.opened) {
      this.#held = undefined;
      this.#events.onTicketUnanswered(held);
    }
    this.#dropSecrets();
    this.#events.onClose(code, reason, this.#failure);
  }

  /** Zeroes what the handshake holds: the hello's secret key, the credentials, the presented ticket's secret, the resumption secret. */
  #dropSecrets(): void {
    if (this.#pending) zeroize(this.#pending.ephemeral.secretKey);
    this.#pending = undefined;
    zeroize(this.#credentials);
    this.#credentials = undefined;
    zeroize(this.#held?.secret);
    this.#held = undefined;
    zeroize(this.#resumptionSecret);
    this.#resumptionSecret = undefined;
    zeroize(this.#frame?.bytes);
    this.#frame = undefined;
  }
}

