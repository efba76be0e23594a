import { ClientFailureCode, SealedClientError } from './sealed-client-error.ts';

interface QueuedEmit {
  readonly event: string;
  readonly data: unknown;
  /** Set for a request: the id its reply will carry. */
  readonly ack: number | undefined;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Application emits made while the client connects or reconnects, kept in
 * order until the connection is open (and its rooms rejoined), then sent;
 * emits at the front may go earlier, right behind the credentials
 * ({@link OfflineQueue.sendEarly}). Bounded: past
 * `capacity` the newest emit is refused with `OFFLINE_QUEUE_FULL`, so what
 * was accepted keeps its order; a client that closes for good refuses what
 * is still queued with `CLOSED`.
 */
export class OfflineQueue {
  readonly #queued: QueuedEmit[] = [];
  /** Emits sent right behind the credentials of a connection not yet open, oldest first. */
  readonly #early: QueuedEmit[] = [];

  constructor(readonly capacity: number) {}

  /** Emits waiting to be sent. */
  get size(): number {
    return this.#queued.length;
  }

  /** Queues one emit (a request with its `ack`); resolves once it has been handed to the new connection. */
  push(event: string, data: unknown, ack?: number): Promise<void> {
    if (this.#queued.length + this.#early.length >= this.capacity) {
      return Promise.reject(
        new SealedClientError(ClientFailureCode.OFFLINE_QUEUE_FULL, `${this.capacity} emits are already waiting for the connection to come back`),
      );
    }
    return new Promise<void>((resolve, reject) => this.#queued.push({ event, data, ack, resolve, reject }));
  }

  /** Sends everything queued, in order, through `send`; each emit settles as its send does. */
  drain(send: (event: string, data: unknown, ack: number | undefined) => Promise<void>): void {
    for (const emit of this.#queued.splice(0)) send(emit.event, emit.data, emit.ack).then(emit.resolve, emit.reject);
  }

  /**
   * Sends emits from the front of the queue through `send` before the
   * connection is open, while it takes them (`undefined`: no more early
   * data). A request stops the run: it waits for the open. Each emit sent
   * early resolves once the connection opens ({@link opened}).
   */
  sendEarly(send: (event: string, data: unknown) => Promise<void> | undefined): void {
    for (let head = this.#queued[0]; head !== undefined && head.ack === undefined; head = this.#queued[0]) {
      const sent = send(head.event, head.data);
      if (!sent) return;
      const emit = this.#queued.shift()!;
      this.#early.push(emit);
      sent.catch((error: Error) => this.#failEarly(emit, error));
    }
  }

  /** The connection the early emits went on opened: the server handles them, in order, behind its credentials. */
  opened(): void {
    for (const emit of this.#early.splice(0)) emit.resolve();
  }

  /**
   * The connection the early emits went on closed before it opened. After a
   * refusal the server handled none of them: they go back to the front of
   * the queue. Otherwise it may have, and each is refused with `error`.
   */
  lostBeforeOpen(refused: boolean, error: Error): void {
    const early = this.#early.splice(0);
    if (refused) this.#queued.unshift(...early);
    else for (const emit of early) emit.reject(error);
  }

  /** Refuses everything queued or sent early. */
  rejectAll(error: Error): void {
    for (const emit of [...this.#early.splice(0), ...this.#queued.splice(0)]) emit.reject(error);
  }

  /** An early emit that could not be sent (its data does not serialize, or the socket closed first) is refused on its own. */
  #failEarly(emit: QueuedEmit, error: Error): void {
    const index = this.#early.indexOf(emit);
    if (index < 0) return;
    this.#early.splice(index, 1);
    emit.reject(error);
  }
}
