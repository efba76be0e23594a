/** A listener for one event. */
export type Listener<T> = (data: T) => void;

/** Told of a listener that threw: which event it listened to, and what it threw. */
export type ListenerErrorHandler = (event: string, error: unknown) => void;

/**
 * An event emitter that keeps the events nobody listens to yet, up to a cap
 * per event, and hands them to the first listener that attaches: a message
 * that arrives between connecting and `on(...)` is not lost.
 *
 * A listener that throws does not stop the others, nor the emitter: the
 * error goes to `onListenerError`, and the next listener runs.
 */
export class BufferedEmitter {
  readonly #listeners = new Map<string, Set<Listener<unknown>>>();
  readonly #buffered = new Map<string, unknown[]>();

  constructor(
    private readonly maxBufferedPerEvent: number,
    private readonly onListenerError: ListenerErrorHandler,
  ) {}

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
      for (const data of waiting) this.#call(listener, event, data);
    }
    return () => this.off(event, listener);
  }

  off(event: string, listener: Listener<unknown>): void {
    this.#listeners.get(event)?.delete(listener);
  }

  emit(event: string, data: unknown): void {
    const listeners = this.#listeners.get(event);
    if (listeners && listeners.size > 0) {
      for (const listener of [...listeners]) this.#call(listener, event, data);
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

  #call(listener: Listener<unknown>, event: string, data: unknown): void {
    try {
      listener(data);
    } catch (error) {
      this.onListenerError(event, error);
    }
  }
}
