/** A listener for one event. */
export type Listener<T> = (data: T) => void;

/**
 * An event emitter that keeps the events nobody listens to yet, up to a cap
 * per event, and hands them to the first listener that attaches: a message
 * that arrives between connecting and `on(...)` is not lost.
 */
export class BufferedEmitter {
  readonly #listeners = new Map<string, Set<Listener<unknown>>>();
  readonly #buffered = new Map<string, unknown[]>();

  constructor(private readonly maxBufferedPerEvent: number) {}

  on(event: string, listener: Listener<unknown>): () => void {
    let listeners = this.#listeners.get(event);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(event, listeners);
    }
    listeners.add(listener);
    const waiting = this.#buffered.get(event);
    if (waiting) {
      this.#buffered.delete(event);
      for (const data of waiting) listener(data);
    }
    return () => this.off(event, listener);
  }

  off(event: string, listener: Listener<unknown>): void {
    this.#listeners.get(event)?.delete(listener);
  }

  emit(event: string, data: unknown): void {
    const listeners = this.#listeners.get(event);
    if (listeners && listeners.size > 0) {
      for (const listener of [...listeners]) listener(data);
      return;
    }
    let waiting = this.#buffered.get(event);
    if (!waiting) {
      waiting = [];
      this.#buffered.set(event, waiting);
    }
    if (waiting.length >= this.maxBufferedPerEvent) waiting.shift();
    waiting.push(data);
  }
}
