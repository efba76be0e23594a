import { UpgradeSubprotocol, upgradeSubprotocolsFor } from '../protocol/upgrade-frame.ts';
import type { UpgradeFrameRefusal } from './connection-settings.ts';
import { ClientFailureCode, SealedClientError } from './sealed-client-error.ts';
import type { WebSocketConstructor, WebSocketLike } from './websocket-like.ts';

/** What an {@link OfferingSocket} tells its connection. */
export interface OfferingSocketEvents {
  /** The upgrade was answered; `taken`: the server took the first frame from it. */
  onOpen(taken: boolean): void;
  onMessage(data: unknown): void;
  onClose(code: number, reason: string): void;
}

/** Construction parameters of an {@link OfferingSocket}. */
export interface OfferingSocketInit {
  WebSocketClass: WebSocketConstructor;
  url: string;
  /** The first frame's UTF-8 bytes. */
  frame: Uint8Array;
  /** Whether to offer the frame in the upgrade at all. */
  offer: boolean;
  /** Set here once an upgrade that offered the frame failed and a plain one did not. */
  refusal: UpgradeFrameRefusal;
  events: OfferingSocketEvents;
}

/**
 * The socket of one connection, opened with its first frame offered in the
 * upgrade request. A server or a proxy that refuses the subprotocols fails
 * that upgrade (`ws` and browsers refuse a `101` that answers none when some
 * were offered): a socket that offered the frame and closed before it opened
 * is opened once more without the offer, and a server that then answers is
 * not offered the frame again by this client. A server that is down costs
 * the second attempt too, and is offered it again on the next connection.
 */
export class OfferingSocket {
  #socket: WebSocketLike;
  /** Set once a socket that offered the frame failed and the plain one was opened. */
  #fellBack = false;
  #opened = false;
  #closing = false;

  /** @throws SealedClientError `INVALID_URL` when the WebSocket class refuses the URL. */
  constructor(private readonly init: OfferingSocketInit) {
    this.#socket = this.#open(init.offer);
  }

  /** Whether the upgrade was answered. */
  get opened(): boolean {
    return this.#opened;
  }

  get readyState(): number {
    return this.#socket.readyState;
  }

  send(data: string | Uint8Array): void {
    this.#socket.send(data);
  }

  close(code: number, reason: string): void {
    this.#closing = true;
    this.#socket.close(code, reason);
  }

  #open(offer: boolean): WebSocketLike {
    const { WebSocketClass, url, events } = this.init;
    let socket: WebSocketLike;
    try {
      socket = offer ? new WebSocketClass(url, upgradeSubprotocolsFor(this.init.frame)) : new WebSocketClass(url);
    } catch (cause) {
      throw new SealedClientError(ClientFailureCode.INVALID_URL, `Cannot open a WebSocket to "${url}"`, { cause });
    }
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => {
      this.#opened = true;
      if (this.#fellBack) this.init.refusal.refused = true;
      events.onOpen(socket.protocol === UpgradeSubprotocol.FIRST_FRAME_TAKEN);
    });
    socket.addEventListener('message', (event) => events.onMessage(event.data));
    socket.addEventListener('close', (event) => {
      // Only the first socket offers the frame.
      if (this.init.offer && !this.#fellBack && !this.#opened && !this.#closing) {
        this.#fellBack = true;
        try {
          this.#socket = this.#open(false);
          return;
        } catch {
          // The same URL opened a socket a moment ago; should the class refuse it now, the connection closes.
        }
      }
      events.onClose(event.code, event.reason);
    });
    socket.addEventListener('error', () => undefined);
    return socket;
  }
}
