import type { Logger } from '../logging/logger.ts';
import type { CloseCode } from '../protocol/close-codes.ts';
import type { SealedErrorCode } from '../protocol/sealed-error.ts';
import type { ClientRegistry } from './client-registry.ts';
import type { MessageDelivery } from './message-delivery.ts';
import type { RoomRegistry } from './room-registry.ts';
import type { ServerMetrics } from './server-metrics.ts';
import type { WebSocketClient } from './websocket-client.ts';
import type { ResolvedServerOptions } from './websocket-server-options.ts';

/**
 * What the parts of one server share: its options, registries, delivery and
 * the two actions every part needs, answering a client and closing it.
 */
export interface ServerContext {
  readonly options: ResolvedServerOptions;
  readonly logger: Logger;
  readonly clients: ClientRegistry;
  readonly rooms: RoomRegistry;
  readonly delivery: MessageDelivery;
  readonly metrics: ServerMetrics;
  /** Sends a protocol event to one client if its socket is open; by the encrypted path once the client is encrypted. */
  sendControl(client: WebSocketClient, event: string, data: unknown): void;
  /** Sends `error` `{ code, message }` to one client. */
  sendError(client: WebSocketClient, code: SealedErrorCode, message: string): void;
  /** Starts closing a client with a named code (or an application's own). Safe to call more than once. */
  closeClient(client: WebSocketClient, code: CloseCode | number, reason: string): void;
  /** The current time, in epoch milliseconds. */
  now(): number;
  /** A fresh client id, starting with this instance's id. */
  newClientId(): string;
}
