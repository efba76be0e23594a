import type { ServerMetrics } from '../server-metrics.ts';
import type { WebSocketClient } from '../registry/websocket-client.ts';

/** Sweeps per budget's worth of growth in the running sum. */
const SWEEP_STEPS_PER_BUDGET = 16;

/** Dependencies of an {@link OutboundBudget}. */
export interface OutboundBudgetInit {
  /** Most unsent bytes all sockets together may hold. */
  maxTotalBufferedBytes: number;
  /** Every client of this instance, for a sweep. */
  clients: () => Iterable<WebSocketClient>;
  /** Cuts a client off at once (its buffered bytes are freed with its socket). */
  cutOff: (client: WebSocketClient) => void;
  /** Counts `outboundBudgetCloses`. */
  metrics: ServerMetrics;
}

/**
 * One budget for the bytes every socket holds unsent, so many slow readers
 * together cannot take the memory that `maxBufferedBytes` denies one. Each
 * write reports the recipient's buffered bytes; their running sum (stale for
 * sockets not written to since, which can only have drained; behind by at
 * most the turn's writes still coalescing) triggers a sweep that measures
 * every socket. If the total is over
 * the budget, the sockets holding the most are cut off first until it is
 * not. A sweep runs only after the sum grew by a sixteenth of the budget
 * since the last one, so the total can pass the budget by that much before
 * anyone is cut off, and sweeping costs one pass over the clients per
 * sixteenth of the budget written.
 */
export class OutboundBudget {
  #estimate = 0;
  /** The measured total at the last sweep. */
  #totalAtSweep = 0;
  /** How much the running sum must grow after a sweep before the next one, so sweeps cost little per byte written. */
  readonly #sweepStep: number;

  constructor(private readonly init: OutboundBudgetInit) {
    this.#sweepStep = Math.max(1, Math.floor(init.maxTotalBufferedBytes / SWEEP_STEPS_PER_BUDGET));
  }

  /** Records what `client`'s socket holds unsent now; sweeps when the running sum passes the budget. */
  observe(client: WebSocketClient, bufferedBytes: number): void {
    this.#estimate += bufferedBytes - client.observedBufferedBytes;
    client.observedBufferedBytes = bufferedBytes;
    if (this.#estimate > this.init.maxTotalBufferedBytes && this.#estimate - this.#totalAtSweep >= this.#sweepStep) this.#sweep();
  }

  #sweep(): void {
    const holding: Array<{ client: WebSocketClient; bytes: number }> = [];
    let total = 0;
    for (const client of this.init.clients()) {
      const bytes = client.unsentBytes;
      client.observedBufferedBytes = bytes;
      if (bytes === 0) continue;
      total += bytes;
      holding.push({ client, bytes });
    }
    if (total > this.init.maxTotalBufferedBytes) {
      holding.sort((a, b) => b.bytes - a.bytes);
      for (const { client, bytes } of holding) {
        if (total <= this.init.maxTotalBufferedBytes) break;
        total -= bytes;
        client.observedBufferedBytes = 0;
        this.init.metrics.outboundBudgetCloses += 1;
        this.init.cutOff(client);
      }
    }
    this.#estimate = total;
    this.#totalAtSweep = total;
  }
}
