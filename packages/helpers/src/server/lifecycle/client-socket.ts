import { WebSocket } from 'ws';
import type { WebSocketClient } from '../registry/websocket-client.ts';

/**
 * The server's `ws` socket, knowing the client it carries. Event listeners
 * are called with the socket as `this`, so one set of listener functions
 * serves every connection instead of a set of closures per connection.
 */
export class ClientSocket extends WebSocket {
  /** Set when the connection controller takes the socket over. */
  client: WebSocketClient | undefined = undefined;
}

/**
 * The client `socket` carries, for a listener given the socket as `this`
 * (typed by `ws` as a plain WebSocket); throws if the socket is not one the
 * controller has taken over.
 */
export function clientOf(socket: WebSocket): WebSocketClient {
  const { client } = socket as Partial<ClientSocket>;
  if (!client) throw new Error('The socket carries no client yet');
  return client;
}
