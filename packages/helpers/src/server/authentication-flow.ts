import { CloseCode } from '../protocol/close-codes.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { ServerEvent } from '../protocol/event-names.ts';
import { ConnectionState } from './connection-state.ts';
import type { AuthenticationResult } from './server-hooks.ts';
import type { ServerContext } from './server-context.ts';
import type { WebSocketClient } from './websocket-client.ts';

const AUTH_FAILED_MESSAGE = 'Authentication failed';

/**
 * Takes a client from AWAITING_AUTH to OPEN: runs `authenticateFn`, then
 * indexes the user, joins the default rooms, answers `connected` and tells
 * `clientConnectedFn`.
 */
export class AuthenticationFlow {
  constructor(private readonly context: ServerContext) {}

  /** Handles one `authenticate` frame. */
  async authenticate(client: WebSocketClient, data: unknown): Promise<void> {
    const { context } = this;
    if (client.state === ConnectionState.OPEN) {
      context.sendError(client, ErrorCode.ALREADY_AUTHENTICATED, 'Connection is already authenticated');
      return;
    }
    if (client.state !== ConnectionState.AWAITING_AUTH) {
      context.sendError(client, ErrorCode.AUTH_IN_PROGRESS, 'Authentication is already in progress');
      return;
    }
    client.lifecycle.transition(ConnectionState.AUTHENTICATING);

    const result = await this.#runAuthenticateFn(client, data);
    if (client.lifecycle.isEnding) return;
    if (!result) {
      context.metrics.authFailures += 1;
      context.sendError(client, ErrorCode.AUTH_FAILED, AUTH_FAILED_MESSAGE);
      context.closeClient(client, CloseCode.AUTH_FAILED, AUTH_FAILED_MESSAGE);
      return;
    }
    this.#open(client, result);
  }

  async #runAuthenticateFn(client: WebSocketClient, data: unknown): Promise<AuthenticationResult | undefined> {
    try {
      const result = await this.context.options.authenticateFn({
        clientId: client.id,
        data,
        remoteAddress: client.remoteAddress,
      });
      if (!result || typeof result.userId !== 'string' || result.userId.length === 0) return undefined;
      return result;
    } catch (error) {
      this.context.logger.warn({ clientId: client.id, err: error }, 'authenticateFn threw; refusing the client');
      return undefined;
    }
  }

  #open(client: WebSocketClient, result: AuthenticationResult): void {
    const { context } = this;
    client.clearTimers();
    client.userId = result.userId;
    client.metadata = result.metadata;
    client.lifecycle.transition(ConnectionState.OPEN);
    context.clients.indexUser(client);
    for (const room of context.options.defaultRooms) context.rooms.join(client, room);
    context.metrics.clientsOpened += 1;
    context.sendControl(client, ServerEvent.CONNECTED, { id: client.id, userId: result.userId, time: context.now() });
    context.logger.debug({ clientId: client.id, userId: result.userId }, 'client open');
    this.#notifyConnected(client, result);
  }

  #notifyConnected(client: WebSocketClient, result: AuthenticationResult): void {
    const hook = this.context.options.clientConnectedFn;
    if (!hook) return;
    Promise.resolve()
      .then(() => hook({ clientId: client.id, userId: result.userId, metadata: result.metadata }))
      .catch((error: unknown) => {
        this.context.metrics.handlerErrors += 1;
        this.context.logger.error({ clientId: client.id, err: error }, 'clientConnectedFn threw');
      });
  }
}
