import { WebSocket } from 'ws';
import { CloseCode } from '../protocol/close-codes.ts';
import type { ServerMetrics } from './server-metrics.ts';
import type { WebSocketClient } from './websocket-client.ts';
import { SlowConsumerPolicy } from './websocket-server-options.ts';

/** How many recipients a send reached. */
export interface DeliveryReport {
  /** Clients the message was addressed to (after `exclude`). */
  recipients: number;
  /** Clients whose socket the message was written to. */
  delivered: number;
  /** Clients it was addressed to but not written to: socket not open, slow consumer, or (encrypted clients) the transformer failed. */
  dropped: number;
}

/** A text frame, already serialized once, shared by every recipient. */
export type SerializedFrame = string | Buffer;

const TEXT_FRAME = Object.freeze({ binary: false });
const BINARY_FRAME = Object.freeze({ binary: true });

/** Dependencies of {@link MessageDelivery}. */
export interface MessageDeliveryInit {
  maxBufferedBytes: number;
  slowConsumerPolicy: SlowConsumerPolicy;
  metrics: ServerMetrics;
  closeClient: (client: WebSocketClient, code: CloseCode, reason: string) => void;
}

/**
 * Writes frames to sockets. Sockets that are not open are skipped; slow
 * readers meet the backpressure policy instead of growing memory without
 * bound. Callers serialize a message once and hand the same bytes to every
 * plaintext recipient.
 */
export class MessageDelivery {
  constructor(private readonly init: MessageDeliveryInit) {}

  /** Writes one text frame to one client; returns whether it was written. */
  write(client: WebSocketClient, frame: SerializedFrame): boolean {
    return this.#write(client, frame, TEXT_FRAME);
  }

  /** Writes one binary frame to one client; returns whether it was written. */
  writeBinary(client: WebSocketClient, frame: Uint8Array): boolean {
    return this.#write(client, frame, BINARY_FRAME);
  }

  #write(client: WebSocketClient, frame: SerializedFrame | Uint8Array, options: { binary: boolean }): boolean {
    const socket = client.socket;
    if (socket.readyState !== WebSocket.OPEN) return false;
    if (socket.bufferedAmount > this.init.maxBufferedBytes) {
      this.#onSlowConsumer(client);
      return false;
    }
    socket.send(frame, options);
    this.init.metrics.messagesDelivered += 1;
    return true;
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
