import { WebSocket, type RawData } from 'ws';
import type { WebSocketClient } from '../registry/websocket-client.ts';

/** What the connection controller does with the events of a socket it took over, given the socket's client. */
export interface ClientSocketEvents {
  message(client: WebSocketClient, data: RawData, isBinary: boolean): void;
  pong(client: WebSocketClient): void;
  error(client: WebSocketClient, error: Error): void;
  close(client: WebSocketClient, code: number): void;
}

/**
 * The server's `ws` socket, knowing the client it carries. Once taken over,
 * the four events the controller handles (`message`, `pong`, `error`,
 * `close`) go straight to its one shared {@link ClientSocketEvents}, with the
 * client: no listener is registered on the socket, so no connection holds a
 * listener table for them (an emitter's table grows by 92 bytes at its
 * fourth event name) and no emit walks one. Listeners other code adds with
 * `on` still hear every event, after the controller.
 */
export class ClientSocket extends WebSocket {
  #client: WebSocketClient | undefined = undefined;
  #events: ClientSocketEvents | undefined = undefined;

  /** Hands the socket's events to `events`, with `client`; done once, by the connection controller. */
  takeOver(client: WebSocketClient, events: ClientSocketEvents): void {
    if (this.#client) throw new Error('The socket was taken over already');
    this.#client = client;
    this.#events = events;
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    const client = this.#client;
    const events = this.#events;
    if (!client || !events) return super.emit(event, ...args);
    switch (event) {
      case 'message':
        events.message(client, args[0] as RawData, args[1] as boolean);
        break;
      case 'pong':
        events.pong(client);
        break;
      case 'error':
        events.error(client, args[0] as Error);
        break;
      case 'close':
        events.close(client, args[0] as number);
        break;
      default:
        return super.emit(event, ...args);
    }
    if (this.listenerCount(event) > 0) super.emit(event, ...args);
    return true;
  }
}
