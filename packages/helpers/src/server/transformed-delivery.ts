import type { Logger } from '../logging/logger.ts';
import { encodeFrame } from '../protocol/frame-codec.ts';
import type { ConcurrencyLimiter } from '../utils/concurrency-limiter.ts';
import type { OutboundTransformer, TransformedFrame } from './encryption-hooks.ts';
import type { MessageDelivery } from './message-delivery.ts';
import type { ServerMetrics } from './server-metrics.ts';
import type { WebSocketClient } from './websocket-client.ts';

/** Dependencies of {@link TransformedDelivery}. */
export interface TransformedDeliveryInit {
  transformer: OutboundTransformer | undefined;
  /** Shared by the whole server: `encryptedBatchLimit` transformer calls at most, in submission order. */
  limiter: ConcurrencyLimiter;
  delivery: MessageDelivery;
  metrics: ServerMetrics;
  logger: Logger;
}

/**
 * The path for encrypted clients: each message runs through the outbound
 * transformer under the server-wide concurrency limit, then is written in
 * the order it was sent to that client, even when the transformer is
 * asynchronous and finishes out of order. Fails closed: no transformer, a
 * throw or an empty result drops the message for that client and counts it.
 */
export class TransformedDelivery {
  constructor(private readonly init: TransformedDeliveryInit) {}

  /** Queues one message for one encrypted client; resolves with whether it was written. */
  send(client: WebSocketClient, event: string, data: unknown): Promise<boolean> {
    const { transformer, limiter } = this.init;
    if (!transformer) {
      this.init.metrics.encryptedDrops += 1;
      return Promise.resolve(false);
    }
    // Settled into a value at once, so a failure is handled even while earlier sends are still queued.
    const transformed = limiter.run(() => transformer({ client, event, data })).then(
      (frame) => frame ?? undefined,
      (error: unknown) => {
        this.init.logger.warn({ clientId: client.id, event, err: error }, 'outbound transformer failed; message dropped');
        return undefined;
      },
    );
    const written = client.outboxTail.then(() => transformed).then((frame) => this.#write(client, frame));
    client.outboxTail = written;
    return written;
  }

  #write(client: WebSocketClient, frame: TransformedFrame | undefined): boolean {
    if (frame === undefined) {
      this.init.metrics.encryptedDrops += 1;
      return false;
    }
    if (frame instanceof Uint8Array) return this.init.delivery.writeBinary(client, frame);
    if (typeof frame === 'string') return this.init.delivery.write(client, frame);
    return this.init.delivery.write(client, encodeFrame(frame.event, frame.data));
  }
}
