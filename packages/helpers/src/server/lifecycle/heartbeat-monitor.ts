import { WebSocket } from 'ws';
import type { ClientRegistry } from '../registry/client-registry.ts';
import type { WebSocketClient } from '../registry/websocket-client.ts';

/** Dependencies of a {@link HeartbeatMonitor}. */
export interface HeartbeatMonitorInit {
  clients: ClientRegistry;
  intervalMs: number;
  timeoutMs: number;
  now: () => number;
  onTimeout: (client: WebSocketClient) => void;
}

/**
 * One timer for the whole server, not one per client: every `intervalMs` it
 * closes clients silent for longer than `timeoutMs` and pings the rest
 * (browsers answer pings by themselves, so a page stays alive without
 * application heartbeats; any frame or pong counts as a sign of life).
 */
export class HeartbeatMonitor {
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly init: HeartbeatMonitorInit) {}

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.sweep(), this.init.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One pass over the clients; public so tests can drive it without waiting. */
  sweep(): void {
    const now = this.init.now();
    for (const client of this.init.clients.all()) {
      if (client.lifecycle.isEnding) continue;
      if (now - client.lastSeenAt > this.init.timeoutMs) {
        this.init.onTimeout(client);
      } else if (client.socket.readyState === WebSocket.OPEN) {
        client.socket.ping();
      }
    }
  }
}
