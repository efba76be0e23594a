/** Receives the payloads published on one channel. */
export type BusHandler = (payload: string) => void;

/**
 * How server instances reach each other: publish and subscribe on named
 * channels, at most once (a payload published while a subscriber is away is
 * gone). Implementations: `InProcessBus` and `RedisBus`.
 */
export interface MessageBus {
  /** Connects; resolves once the bus can publish and subscribe. */
  start(): Promise<void>;
  /**
   * Publishes one payload.
   *
   * @throws when the payload could not be handed to the bus (for example, Redis is unreachable).
   */
  publish(channel: string, payload: string): Promise<void>;
  /** Calls `handler` for every payload on `channel` until `unsubscribe`. One handler per channel. */
  subscribe(channel: string, handler: BusHandler): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  /** Disconnects and releases everything. Idempotent. */
  close(): Promise<void>;
  /**
   * `false` for a bus that never leaves the process (`InProcessBus`): nobody
   * else can write to it. Unset or `true`: other processes can (Redis), so
   * envelopes need `busSecret`, or the application's explicit
   * `allowUnauthenticatedBus`.
   */
  readonly sharedAcrossProcesses?: boolean;
}

/** Whether anything outside this process may write to `bus`. */
export function sharedAcrossProcesses(bus: MessageBus): boolean {
  return bus.sharedAcrossProcesses !== false;
}
