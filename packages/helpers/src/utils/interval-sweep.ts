/**
 * One unref'd interval timer that runs a sweep: what the server uses for
 * work over all clients at a steady pace (heartbeats, ticket renewal)
 * instead of one timer per client. `start` and `stop` are idempotent.
 */
export class IntervalSweep {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly sweep: () => void,
  ) {}

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(this.sweep, this.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
