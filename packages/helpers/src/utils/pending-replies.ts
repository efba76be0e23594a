import { isErrorReply, type ReplyPayload } from '../protocol/request-reply.ts';
import { SealedError } from '../protocol/sealed-error.ts';

/** Why {@link PendingReplies} refused or ended a request itself. */
export type PendingReplyFailure = 'TOO_MANY_PENDING_REQUESTS' | 'REQUEST_TIMEOUT';

/** Makes the error a request fails with when {@link PendingReplies} ends it itself. */
export type PendingReplyError = (failure: PendingReplyFailure, message: string) => Error;

interface PendingReply {
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * The requests one side sent on one connection that await their reply:
 * hands out `ack` ids (1, 2, ...), holds at most `capacity` at once, ends
 * each after its timeout, and settles each once with the peer's reply (its
 * `result`, or a `SealedError` with the peer's code and message). Timers do
 * not keep a process alive.
 */
export class PendingReplies {
  readonly #pending = new Map<number, PendingReply>();
  #nextAck = 1;

  constructor(
    private readonly capacity: number,
    private readonly failure: PendingReplyError,
  ) {}

  get size(): number {
    return this.#pending.size;
  }

  /** Whether the request with this id still awaits its reply. */
  has(ack: number): boolean {
    return this.#pending.has(ack);
  }

  /**
   * Opens a request: its `ack` id, and its reply, which settles with the
   * peer's reply, after `timeoutMs` (`REQUEST_TIMEOUT`), or when the request
   * is cancelled. Past `capacity` the reply rejects at once
   * (`TOO_MANY_PENDING_REQUESTS`) and the id is never sent.
   */
  open(timeoutMs: number): { ack: number; reply: Promise<unknown> } {
    const ack = this.#nextAck;
    if (this.#pending.size >= this.capacity) {
      const error = this.failure('TOO_MANY_PENDING_REQUESTS', `${this.capacity} requests already await their reply`);
      return { ack, reply: Promise.reject(error) };
    }
    this.#nextAck += 1;
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(ack);
        reject(this.failure('REQUEST_TIMEOUT', `No reply within ${timeoutMs} ms`));
      }, timeoutMs);
      (timer as { unref?: () => void }).unref?.();
      this.#pending.set(ack, { resolve, reject, timer });
    });
    return { ack, reply };
  }

  /** Settles a request with the peer's reply; false when no request with that id awaits one (it timed out, or never was). */
  settle(ack: number, reply: ReplyPayload): boolean {
    const pending = this.#take(ack);
    if (!pending) return false;
    if (isErrorReply(reply)) pending.reject(new SealedError(reply.error.code, reply.error.message));
    else pending.resolve(reply.result);
    return true;
  }

  /** Ends one request with `error`, if it still awaits its reply. */
  cancel(ack: number, error: Error): void {
    this.#take(ack)?.reject(error);
  }

  /** Ends every request still awaiting its reply with `error`. */
  rejectAll(error: Error): void {
    for (const ack of [...this.#pending.keys()]) this.cancel(ack, error);
  }

  #take(ack: number): PendingReply | undefined {
    const pending = this.#pending.get(ack);
    if (!pending) return undefined;
    this.#pending.delete(ack);
    clearTimeout(pending.timer);
    return pending;
  }
}
