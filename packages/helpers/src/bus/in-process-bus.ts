import type { BusHandler, MessageBus } from './message-bus.ts';

/**
 * The channels several `InProcessBus` instances share. Buses on the same hub
 * reach each other; a bus with a hub of its own reaches only itself.
 */
export class InProcessBusHub {
  readonly #subscribers = new Map<string, Set<BusHandler>>();

  deliver(channel: string, payload: string): void {
    const handlers = this.#subscribers.get(channel);
    if (!handlers) return;
    for (const handler of [...handlers]) {
      // Asynchronous like a network bus, so publishers never re-enter their own code.
      queueMicrotask(() => handler(payload));
    }
  }

  add(channel: string, handler: BusHandler): void {
    let handlers = this.#subscribers.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.#subscribers.set(channel, handlers);
    }
    handlers.add(handler);
  }

  remove(channel: string, handler: BusHandler): void {
    const handlers = this.#subscribers.get(channel);
    if (!handlers) return;
    handlers.delete(handler);
    if (handlers.size === 0) this.#subscribers.delete(channel);
  }

  /** Channels with at least one subscriber. */
  channels(): string[] {
    return [...this.#subscribers.keys()];
  }
}

/**
 * The embedded bus: instances in one process, nothing to install. Pass the
 * same hub to several servers in one process to let them share rooms.
 */
export class InProcessBus implements MessageBus {
  /** Only this process's servers and emitters reach it. */
  readonly sharedAcrossProcesses = false;
  readonly #handlers = new Map<string, BusHandler>();

  constructor(readonly hub: InProcessBusHub = new InProcessBusHub()) {}

  async start(): Promise<void> {}

  async publish(channel: string, payload: string): Promise<void> {
    this.hub.deliver(channel, payload);
  }

  async subscribe(channel: string, handler: BusHandler): Promise<void> {
    await this.unsubscribe(channel);
    this.#handlers.set(channel, handler);
    this.hub.add(channel, handler);
  }

  async unsubscribe(channel: string): Promise<void> {
    const handler = this.#handlers.get(channel);
    if (!handler) return;
    this.#handlers.delete(channel);
    this.hub.remove(channel, handler);
  }

  async close(): Promise<void> {
    for (const channel of [...this.#handlers.keys()]) await this.unsubscribe(channel);
  }
}
