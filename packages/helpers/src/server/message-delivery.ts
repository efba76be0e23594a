import { WebSocket } from 'ws';
import { CloseCode } from '../protocol/close-codes.ts';
import { ConnectionState } from './connection-state.ts';
import type { ServerMetrics } from './server-metrics.ts';
import type { WebSocketClient } from './websocket-client.ts';
import { SlowConsumerPolicy } from './websocket-server-options.ts';

/** How many recipients a send reached. */
export interface DeliveryReport {
  /** Clients the message was addressed to (after `exclude`). */
  recipients: number;
  /** Clients whose socket the message was written to. */
  delivered: number;
}

/** A text frame, already serialized once, shared by every recipient. */
export type SerializedFrame = string | Buffer;

const TEXT_FRAME = Object.freeze({ binary: false });

/** Dependencies of {@link MessageDelivery}. */
export interface MessageDeliveryInit {
  maxBufferedBytes: number;
  slowConsumerPolicy: SlowConsumerPolicy;
  metrics: ServerMetrics;
  closeClient: (client: WebSocketClient, code: CloseCode, reason: string) => void;
}

/**
 * Writes serialized frames to sockets: the plaintext fast path. A message is
 * serialized once by the caller and the same bytes go to every recipient;
 * sockets that are not open are skipped; slow readers meet the backpressure
 * policy instead of growing memory without bound.
 */
export class MessageDelivery {
  constructor(private readonly init: MessageDeliveryInit) {}

  /** Writes one frame to one client; returns whether it was written. */
  write(client: WebSocketClient, frame: SerializedFrame): boolean {
    const socket = client.socket;
    if (socket.readyState !== WebSocket.OPEN) return false;
    if (socket.bufferedAmount > this.init.maxBufferedBytes) {
      this.#onSlowConsumer(client);
      return false;
    }
    socket.send(frame, TEXT_FRAME);
    this.init.metrics.messagesDelivered += 1;
    return true;
  }

  /** Writes one frame to every open client yielded, except those excluded. */
  fanOut(clients: Iterable<WebSocketClient>, frame: SerializedFrame, exclude?: ReadonlySet<string>): DeliveryReport {
    let recipients = 0;
    let delivered = 0;
    for (const client of clients) {
      if (client.state !== ConnectionState.OPEN || exclude?.has(client.id)) continue;
      recipients += 1;
      if (this.write(client, frame)) delivered += 1;
    }
    return { recipients, delivered };
  }

  #onSlowConsumer(client: WebSocketClient): void {
    if (this.init.slowConsumerPolicy === SlowConsumerPolicy.DROP) {
      this.init.metrics.slowConsumerDrops += 1;
      return;
    }
    this.init.metrics.slowConsumerCloses += 1;
    this.init.closeClient(client, CloseCode.SLOW_CONSUMER, 'Outbound buffer full');
  }
}
