import type { CloseCode } from '../../protocol/close-codes.ts';
import type { ReplyPayload } from '../../protocol/request-reply.ts';
import type { SealedErrorCode } from '../../protocol/sealed-error.ts';
import type { RoutedMessage } from '../delivery/outbound-router.ts';
import type { WebSocketClient } from '../registry/websocket-client.ts';

/**
 * How the parts of a connection's life answer one client and end its
 * connection. The server wires it to the outbound router (answers go by the
 * encrypted path once the client is encrypted) and the connection controller
 * (the one place a connection is closed).
 */
export interface ClientAnswers {
  /** Sends a protocol event (`joined`, `left`) to one client if its socket is open. */
  control(client: WebSocketClient, event: string, data: unknown): void;
  /** Sends one room message from the room's history (with its position) to one client, in order with its other frames. */
  replay(client: WebSocketClient, message: RoutedMessage): void;
  /** Sends `sealed:reply` to one client: the answer to its request `ack`. */
  reply(client: WebSocketClient, ack: number, reply: ReplyPayload): void;
  /** Sends `error` `{ code, message }` to one client. */
  error(client: WebSocketClient, code: SealedErrorCode, message: string): void;
  /** Starts closing a client with a named code (or an application's own). Safe to call more than once. */
  close(client: WebSocketClient, code: CloseCode | number, reason: string): void;
}
