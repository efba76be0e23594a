import { ErrorCode } from '../../protocol/error-codes.ts';
import { CLIENT_REQUEST_EVENTS, ClientEvent, isEndToEndRequest, isReservedEventName, type EndToEndRequestEvent } from '../../protocol/event-names.ts';
import type { ProtocolMessage } from '../../protocol/frame-codec.ts';
import { SealedError } from '../../protocol/sealed-error.ts';
import { readReply, replyWithError, replyWithResult, type ReplyPayload } from '../../protocol/request-reply.ts';
import type { ValueOrPromise } from '../../types/value-or-promise.ts';
import type { AuthenticationFlow } from './authentication-flow.ts';
import { ConnectionState } from '../registry/connection-state.ts';
import type { RoomRequests } from './room-requests.ts';
import type { RoomPresence } from '../presence/room-presence.ts';
import type { DeliveryService } from '../e2e/delivery-service.ts';
import { answerThrownError } from './thrown-error-answer.ts';
import type { Logger } from '../../logging/logger.ts';
import type { ClientAnswers } from './client-answers.ts';
import type { MessageHandler } from '../server-hooks.ts';
import type { ServerMetrics } from '../server-metrics.ts';
import type { WebSocketClient } from '../registry/websocket-client.ts';

const HANDLER_FAILED_MESSAGE = 'The server could not process the message';
const NO_HANDLER_MESSAGE = 'The server answers no requests';

/** What {@link EventDispatcher} needs. */
export interface EventDispatcherInit {
  authentication: AuthenticationFlow;
  roomRequests: RoomRequests;
  presence: RoomPresence;
  deliveryService: DeliveryService;
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
    if (!this.#ackFits(message)) {
      this.init.metrics.framesRejected += 1;
      this.init.answers.error(client, ErrorCode.INVALID_ACK, `Field "ack" ${event === ClientEvent.REPLY ? 'is required on' : 'is not allowed on'} "${event}"`);
      return;
    }
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
      case ClientEvent.REPLY:
        return this.#whenOpen(client, () => this.#onReply(client, message.ack!, data));
      case ClientEvent.MEMBERS:
        return this.#whenOpen(client, () => this.#members(client, message.ack!, data));
      default:
        if (isReservedEventName(event)) {
          // The end-to-end rooms' requests are reserved names; application events never reach this lookup.
          if (isEndToEndRequest(event)) return this.#whenOpen(client, () => this.#endToEnd(client, event, message.ack!, data));
          this.init.metrics.framesRejected += 1;
          this.init.answers.error(client, ErrorCode.RESERVED_EVENT, `Event "${event}" is reserved`);
          return;
        }
        return this.#whenOpen(client, () => this.#handleApplicationEvent(client, event, data, message.ack));
    }
  }

  /** Application events and the protocol's requests are requests, and every `sealed:reply` answers one. */
  #ackFits(message: ProtocolMessage): boolean {
    if (message.event === ClientEvent.REPLY || CLIENT_REQUEST_EVENTS.has(message.event)) return message.ack !== undefined;
    return message.ack === undefined || !isReservedEventName(message.event);
  }

  /** Answers `sealed:members` with the members of a room the client is in and that tracks presence. */
  async #members(client: WebSocketClient, ack: number, data: unknown): Promise<void> {
    const room = (data as { room?: unknown } | null | undefined)?.room;
    if (typeof room !== 'string' || !client.inRoom(room) || !this.init.presence.tracks(room)) {
      return this.#reply(client, ack, replyWithError(ErrorCode.NO_PRESENCE, 'Presence is kept only for rooms that track it, to their members'));
    }
    try {
      this.#reply(client, ack, replyWithResult({ room, members: await this.init.presence.members(room) }));
    } catch (error) {
      this.init.logger.warn({ err: error instanceof Error ? error.message : error }, 'presence store failed');
      this.#reply(client, ack, replyWithError(ErrorCode.HANDLER_FAILED, 'The room\'s members could not be read'));
    }
  }

  /** Answers a request of the end-to-end rooms' Delivery Service. */
  async #endToEnd(client: WebSocketClient, event: EndToEndRequestEvent, ack: number, data: unknown): Promise<void> {
    const reply = await this.init.deliveryService.handle(client, event, data);
    this.#reply(client, ack, reply);
  }

  #whenOpen(client: WebSocketClient, handle: () => ValueOrPromise<void>): ValueOrPromise<void> {
    if (client.state !== ConnectionState.OPEN) {
      this.init.metrics.framesRejected += 1;
      this.init.answers.error(client, ErrorCode.NOT_AUTHENTICATED, 'Authenticate first');
      return;
    }
    return handle();
  }

  /** The client's answer to one of the server's requests. */
  #onReply(client: WebSocketClient, ack: number, data: unknown): void {
    const reply = readReply(data);
    if (!reply) {
      this.init.metrics.framesRejected += 1;
      this.init.answers.error(client, ErrorCode.INVALID_PAYLOAD, 'A reply is { result } or { error: { code, message } }');
      return;
    }
    if (!client.settleRequest(ack, reply)) this.init.metrics.repliesUnmatched += 1;
  }

  #handleApplicationEvent(client: WebSocketClient, event: string, data: unknown, ack: number | undefined): ValueOrPromise<void> {
    const handler = this.init.messageHandler;
    if (client.userId === undefined) return;
    if (!handler) {
      if (ack !== undefined) this.#reply(client, ack, replyWithError(ErrorCode.NO_HANDLER, NO_HANDLER_MESSAGE));
      return;
    }
    try {
      const result = handler({ clientId: client.id, userId: client.userId, event, data, expectsReply: ack !== undefined });
      if (result instanceof Promise) {
        return result.then(
          (value: unknown) => this.#answer(client, event, ack, value),
          (error: unknown) => this.#onHandlerError(client, event, ack, error),
        );
      }
      this.#answer(client, event, ack, result);
    } catch (error) {
      this.#onHandlerError(client, event, ack, error);
    }
  }

  /** Sends what the handler returned as the reply to a request; a value JSON cannot carry is a handler failure. */
  #answer(client: WebSocketClient, event: string, ack: number | undefined, result: unknown): void {
    if (ack === undefined) return;
    try {
      JSON.stringify(result);
    } catch (error) {
      return this.#onHandlerError(client, event, ack, error);
    }
    this.#reply(client, ack, replyWithResult(result));
  }

  #reply(client: WebSocketClient, ack: number, reply: ReplyPayload): void {
    this.init.metrics.requestsAnswered += 1;
    this.init.answers.reply(client, ack, reply);
  }

  /**
   * A `SealedError` is the handler's answer (and its `closeCode` ends the
   * connection); anything else is a failure, logged. A request gets the
   * answer in its reply, a plain emit as an `error` event.
   */
  #onHandlerError(client: WebSocketClient, event: string, ack: number | undefined, error: unknown): void {
    if (!SealedError.is(error)) {
      this.init.metrics.handlerErrors += 1;
      this.init.logger.error({ clientId: client.id, event, err: error }, 'messageHandler threw');
    }
    const answer = answerThrownError(error, { code: ErrorCode.HANDLER_FAILED, message: HANDLER_FAILED_MESSAGE });
    if (ack === undefined) this.init.answers.error(client, answer.code, answer.message);
    else this.#reply(client, ack, replyWithError(answer.code, answer.message));
    if (answer.closeCode !== undefined) this.init.answers.close(client, answer.closeCode, answer.closeReason);
  }
}
