import { ErrorCode } from '../protocol/error-codes.ts';
import type { ProtocolMessage } from '../protocol/frame-codec.ts';
import { readReply, replyWithError, replyWithResult, type ReplyPayload } from '../protocol/request-reply.ts';
import { SealedError } from '../protocol/sealed-error.ts';
import { PendingReplies } from '../utils/pending-replies.ts';
import { ClientFailureCode, SealedClientError } from './sealed-client-error.ts';
import type { RequestHandler } from './sealed-client-options.ts';

const HANDLER_FAILED_MESSAGE = 'The client could not answer the request';
const NO_HANDLER_MESSAGE = 'The client has no handler for this request';

/** What {@link ClientRequests} needs. */
export interface ClientRequestsInit {
  maxPendingRequests: number;
  /** Milliseconds a request waits for its reply when it does not say. */
  defaultTimeoutMs: number;
  /** A request handler threw something other than a `SealedError`. */
  onHandlerError: (event: string, error: unknown) => void;
  /** A reply from the server could not be read; it is dropped. */
  onMalformedReply: (message: string) => void;
}

/**
 * Requests both ways, on the client's side: the client's own requests
 * awaiting the server's reply (bounded, each with a timeout, and ended with
 * `DISCONNECTED` when the connection that carried them goes), and the
 * handlers that answer the server's requests, one per event.
 */
export class ClientRequests {
  readonly #pending: PendingReplies;
  /** Requests written to the current connection: its loss ends them. */
  readonly #inFlight = new Set<number>();
  readonly #handlers = new Map<string, RequestHandler>();

  constructor(private readonly init: ClientRequestsInit) {
    this.#pending = new PendingReplies(init.maxPendingRequests, (failure, message) => new SealedClientError(ClientFailureCode[failure], message));
  }

  /** Opens a request: its `ack` id and its reply (already rejected with `TOO_MANY_PENDING_REQUESTS` past the bound). */
  open(timeoutMs: number | undefined): { ack: number; reply: Promise<unknown> } {
    const opened = this.#pending.open(timeoutMs ?? this.init.defaultTimeoutMs);
    if (this.#pending.has(opened.ack)) {
      opened.reply.then(
        () => this.#inFlight.delete(opened.ack),
        () => this.#inFlight.delete(opened.ack),
      );
    }
    return opened;
  }

  /** Whether the request still awaits its reply (it was not refused, has not timed out, was not answered). */
  isWaiting(ack: number): boolean {
    return this.#pending.has(ack);
  }

  /** The request is being written to the current connection: a failed write ends it, and so does the connection's loss. */
  sent(ack: number, sending: Promise<void>): Promise<void> {
    this.#inFlight.add(ack);
    return sending.catch((error: Error) => {
      this.cancel(ack, error);
      throw error;
    });
  }

  /** Ends one request with `error`. */
  cancel(ack: number, error: Error): void {
    this.#pending.cancel(ack, error);
  }

  /** Settles one of the client's requests with the server's `sealed:reply`. A reply to no waiting request is dropped. */
  settle(message: ProtocolMessage): void {
    const reply = readReply(message.data);
    if (!reply || message.ack === undefined) return this.init.onMalformedReply('A reply from the server was dropped: it is { result } or { error: { code, message } }, with "ack"');
    this.#pending.settle(message.ack, reply);
  }

  /** The connection went: what it carried will never be answered. Requests still queued for the next one wait on. */
  connectionLost(): void {
    const lost = new SealedClientError(ClientFailureCode.DISCONNECTED, 'The connection closed before the server replied');
    for (const ack of [...this.#inFlight]) this.cancel(ack, lost);
    this.#inFlight.clear();
  }

  /** Ends every request, sent or queued. */
  closeAll(error: Error): void {
    this.#pending.rejectAll(error);
    this.#inFlight.clear();
  }

  /** Sets the handler that answers the server's requests of `event`, in place of any earlier one; returns its removal. */
  handle(event: string, handler: RequestHandler): () => void {
    this.#handlers.set(event, handler);
    return () => {
      if (this.#handlers.get(event) === handler) this.#handlers.delete(event);
    };
  }

  /** Answers one of the server's requests through `reply`, with what its handler returns, or the error it failed with. */
  async answer(message: ProtocolMessage, reply: (payload: ReplyPayload) => Promise<void>): Promise<void> {
    const handler = this.#handlers.get(message.event);
    let payload: ReplyPayload;
    if (!handler) {
      payload = replyWithError(ErrorCode.NO_HANDLER, NO_HANDLER_MESSAGE);
    } else {
      try {
        const result = await handler(message.data);
        JSON.stringify(result);
        payload = replyWithResult(result);
      } catch (error) {
        if (!SealedError.is(error)) this.init.onHandlerError(message.event, error);
        payload = SealedError.is(error) ? replyWithError(error.code, error.message) : replyWithError(ErrorCode.HANDLER_FAILED, HANDLER_FAILED_MESSAGE);
      }
    }
    // The connection may be gone: the server ended this request with DISCONNECTED already.
    await reply(payload).catch(() => undefined);
  }
}
