import { WebSocket } from 'ws';
import type { ClientRegistry } from '../registry/client-registry.ts';
import type { WebSocketClient } from '../registry/websocket-client.ts';

/** Dependencies of a {@link HeartbeatMonitor}. */
export interface HeartbeatMonitorInit {
  clients: ClientRegistry;
  timeoutMs: number;
  /** The monotonic clock clients' `lastSeenAt` is on. */
  now: () => number;
  onTimeout: (client: WebSocketClient) => void;
}

/**
 * One pass for the whole server, not a timer per client: every heartbeat interval it
 * closes clients silent for longer than `timeoutMs` and pings the rest
 * (browsers answer pings by themselves, so a page stays alive without
 * application heartbeats; any frame or pong counts as a sign of life).
 */
export class HeartbeatMonitor {
  constructor(private readonly init: HeartbeatMonitorInit) {}

  /** One pass over the clients; the server runs it every `heartbeatInterval` on an `IntervalSweep`. */
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
