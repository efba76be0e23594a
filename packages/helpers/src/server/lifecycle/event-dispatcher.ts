import { ErrorCode } from '../../protocol/error-codes.ts';
import { ClientEvent, isReservedEventName } from '../../protocol/event-names.ts';
import type { ProtocolMessage } from '../../protocol/frame-codec.ts';
import { SealedError } from '../../protocol/sealed-error.ts';
import type { ValueOrPromise } from '../../types/value-or-promise.ts';
import type { AuthenticationFlow } from './authentication-flow.ts';
import { ConnectionState } from '../registry/connection-state.ts';
import type { RoomRequests } from './room-requests.ts';
import { answerThrownError } from './thrown-error-answer.ts';
import type { Logger } from '../../logging/logger.ts';
import type { ClientAnswers } from './client-answers.ts';
import type { MessageHandler } from '../server-hooks.ts';
import type { ServerMetrics } from '../server-metrics.ts';
import type { WebSocketClient } from '../registry/websocket-client.ts';

const HANDLER_FAILED_MESSAGE = 'The server could not process the message';

/** What {@link EventDispatcher} needs. */
export interface EventDispatcherInit {
  authentication: AuthenticationFlow;
  roomRequests: RoomRequests;
  messageHandler: MessageHandler | undefined;
  metrics: ServerMetrics;
  logger: Logger;
  answers: ClientAnswers;
}

/**
 * Routes one decoded frame from a client: protocol events to their handlers,
 * application events to `messageHandler`, and everything a client may not do
 * in its current state to an `error`.
 */
export class EventDispatcher {
  constructor(private readonly init: EventDispatcherInit) {}

  dispatch(client: WebSocketClient, message: ProtocolMessage): ValueOrPromise<void> {
    const { event, data } = message;
    if (client.lifecycle.isEnding) return;
    switch (event) {
      case ClientEvent.AUTHENTICATE:
        return this.init.authentication.authenticate(client, data);
      case ClientEvent.HANDSHAKE_FINISH:
        return this.init.authentication.finish(client, data);
      case ClientEvent.HEARTBEAT:
        return;
      case ClientEvent.JOIN:
        return this.#whenOpen(client, () => this.init.roomRequests.join(client, data));
      case ClientEvent.LEAVE:
        return this.#whenOpen(client, () => this.init.roomRequests.leave(client, data));
      default:
        if (isReservedEventName(event)) {
          this.init.metrics.framesRejected += 1;
          this.init.answers.error(client, ErrorCode.RESERVED_EVENT, `Event "${event}" is reserved`);
          return;
        }
        return this.#whenOpen(client, () => this.#handleApplicationEvent(client, event, data));
    }
  }

  #whenOpen(client: WebSocketClient, handle: () => ValueOrPromise<void>): ValueOrPromise<void> {
    if (client.state !== ConnectionState.OPEN) {
      this.init.metrics.framesRejected += 1;
      this.init.answers.error(client, ErrorCode.NOT_AUTHENTICATED, 'Authenticate first');
      return;
    }
    return handle();
  }

  #handleApplicationEvent(client: WebSocketClient, event: string, data: unknown): ValueOrPromise<void> {
    const handler = this.init.messageHandler;
    if (!handler || client.userId === undefined) return;
    try {
      const result = handler({ clientId: client.id, userId: client.userId, event, data });
      if (result instanceof Promise) return result.catch((error: unknown) => this.#onHandlerError(client, event, error));
    } catch (error) {
      this.#onHandlerError(client, event, error);
    }
  }

  /** A `SealedError` is the handler's answer (and its `closeCode` ends the connection); anything else is a failure, logged. */
  #onHandlerError(client: WebSocketClient, event: string, error: unknown): void {
    if (!SealedError.is(error)) {
      this.init.metrics.handlerErrors += 1;
      this.init.logger.error({ clientId: client.id, event, err: error }, 'messageHandler threw');
    }
    const answer = answerThrownError(error, { code: ErrorCode.HANDLER_FAILED, message: HANDLER_FAILED_MESSAGE });
    this.init.answers.error(client, answer.code, answer.message);
    if (answer.closeCode !== undefined) this.init.answers.close(client, answer.closeCode, answer.closeReason);
  }
}
