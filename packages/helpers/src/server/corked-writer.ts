import type { Duplex } from 'node:stream';

/**
 * Coalesces the writes of one event-loop turn per socket: the first write of
 * a turn corks the socket and the next tick uncorks it, so twenty messages
 * to one socket in a turn cost one system call instead of twenty. Order is
 * never changed (corking only delays the flush), and a socket holding more
 * than `maxCorkedBytes` is flushed at once.
 */
export class CorkedWriter {
  readonly #corked = new Set<Duplex>();
  #flushScheduled = false;

  constructor(private readonly maxCorkedBytes: number) {}

  write(socket: Duplex, chunk: Uint8Array): void {
    if (!this.#corked.has(socket)) {
      socket.cork();
      this.#corked.add(socket);
      this.#scheduleFlush();
    }
    socket.write(chunk);
    if (socket.writableLength >= this.maxCorkedBytes) {
      this.#corked.delete(socket);
      socket.uncork();
    }
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    process.nextTick(this.#flush);
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    for (const socket of this.#corked) socket.uncork();
    this.#corked.clear();
  };
}
