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
 * Application emits made while the client reconnects, kept in order until
 * the connection is back (and its rooms rejoined), then sent. Bounded: past
 * `capacity` the newest emit is refused with `OFFLINE_QUEUE_FULL`, so what
 * was accepted keeps its order; a client that closes for good refuses what
 * is still queued with `CLOSED`.
 */
export class OfflineQueue {
  readonly #queued: QueuedEmit[] = [];

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.#queued.length;
  }

  /** Queues one emit (a request with its `ack`); resolves once it has been handed to the new connection. */
  push(event: string, data: unknown, ack?: number): Promise<void> {
    if (this.#queued.length >= this.capacity) {
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

  /** Refuses everything queued. */
  rejectAll(error: Error): void {
    for (const emit of this.#queued.splice(0)) emit.reject(error);
  }
}
