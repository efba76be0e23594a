import { ClientFailureCode, SealedClientError } from './sealed-client-error.ts';

interface QueuedEmit {
  readonly event: string;
  readonly data: unknown;
  /** Set for a request: the id its reply will carry. */
  readonly ack: number | undefined;
  /** Set for a call held in its place (a join or a leave): made when the drain reaches it, never early; it settles as the call does. */
  readonly call?: () => Promise<unknown>;
  readonly resolve: (value?: unknown) => void;
  readonly reject: (error: Error) => void;
  /** Set when a write of it failed (the socket closed first): it was not sent. */
  unsent?: boolean;
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

  /** Queues one emit (a request with its `ack`); resolves once it has been sent on an open connection (an early emit: once its connection opened). */
  push(event: string, data: unknown, ack?: number): Promise<void> {
    return this.#enqueue({ event, data, ack }) as Promise<void>;
  }

  /** Holds a call (a join or a leave) in its place among the emits; settles as the call does once the drain makes it. */
  pushCall<T>(call: () => Promise<T>): Promise<T> {
    return this.#enqueue({ event: '', data: undefined, ack: undefined, call }) as Promise<T>;
  }

  #enqueue(entry: Omit<QueuedEmit, 'resolve' | 'reject'>): Promise<unknown> {
    if (this.#queued.length + this.#early.length >= this.capacity) {
      return Promise.reject(
        new SealedClientError(ClientFailureCode.OFFLINE_QUEUE_FULL, `${this.capacity} emits are already waiting for the connection`),
      );
    }
    return new Promise((resolve, reject) => this.#queued.push({ ...entry, resolve, reject }));
  }

  /** Sends everything queued, in order, through `send` (a held call is made in its place); each settles as its send or call does. */
  drain(send: (event: string, data: unknown, ack: number | undefined) => Promise<void>): void {
    for (const emit of this.#queued.splice(0)) {
      let settled: Promise<unknown>;
      try {
        settled = emit.call ? emit.call() : send(emit.event, emit.data, emit.ack);
      } catch (error) {
        // A held call that throws (a join of rooms that are not a list) is refused on its own.
        emit.reject(error as Error);
        continue;
      }
      settled.then(emit.resolve, emit.reject);
    }
  }

  /**
   * Sends emits from the front of the queue through `send` before the
   * connection is open, while it takes them (`undefined`: no more early
   * data). A request or a held call stops the run: it waits for the open. An emit whose
   * data cannot be serialized (`send` throws) is refused on its own. Each
   * emit sent early resolves once the connection opens ({@link opened}).
   */
  sendEarly(send: (event: string, data: unknown) => Promise<void> | undefined): void {
    for (let head = this.#queued[0]; head !== undefined && head.ack === undefined && !head.call; head = this.#queued[0]) {
      let sent: Promise<void> | undefined;
      try {
        sent = send(head.event, head.data);
      } catch (error) {
        this.#queued.shift();
        head.reject(error as Error);
        continue;
      }
      if (!sent) return;
      const emit = this.#queued.shift()!;
      emit.unsent = false;
      this.#early.push(emit);
      // A write fails when the socket closed first; a connection that opens all the same sends the emit again.
      sent.catch(() => (emit.unsent = true));
    }
  }

  /** Whether emits went early on the current connection and wait for it to open. */
  get hasEarly(): boolean {
    return this.#early.length > 0;
  }

  /**
   * The connection the early emits went on opened: the server handles them,
   * in order, behind its credentials. Any whose write failed (the last ones,
   * as writes go in order) go back to the front of the queue.
   */
  opened(): void {
    const early = this.#early.splice(0);
    this.#queued.unshift(...early.filter((emit) => emit.unsent));
    for (const emit of early) if (!emit.unsent) emit.resolve();
  }

  /**
   * The connection the early emits went on closed before it opened: they go
   * back to the front of the queue, in order, for the next connection. The
   * server handles early frames only once it has opened a connection, so
   * only a connection lost between the server's opening and the client
   * hearing of it can have had them handled; they are then sent again. When
   * the server did answer (`mayHaveOpened`: its `connected` came, and the
   * client refused it), they are refused with `DISCONNECTED` instead.
   */
  notOpened(mayHaveOpened = false): void {
    const early = this.#early.splice(0);
    if (!mayHaveOpened) {
      this.#queued.unshift(...early);
      return;
    }
    for (const emit of early) {
      emit.reject(new SealedClientError(ClientFailureCode.DISCONNECTED, 'The connection failed as it opened; the server may or may not have handled the emit'));
    }
  }

  /** Refuses everything queued or sent early with `error`. */
  rejectAll(error: Error): void {
    for (const emit of [...this.#early.splice(0), ...this.#queued.splice(0)]) emit.reject(error);
  }

  /** The client closed for good: what is queued is not sent (`CLOSED`); what went early may yet be handled (`DISCONNECTED`). */
  clientClosed(): void {
    for (const emit of this.#early.splice(0)) {
      emit.reject(new SealedClientError(ClientFailureCode.DISCONNECTED, 'Client closed before the connection opened; the server may or may not handle the emit'));
    }
    this.rejectAll(new SealedClientError(ClientFailureCode.CLOSED, 'Client closed before the emit could be sent'));
  }
}
