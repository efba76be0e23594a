import type { Logger } from '../../logging/logger.ts';
import { errorKind, type ThrottledLog } from '../../logging/throttled-log.ts';
import { encodeFrame } from '../../protocol/frame-codec.ts';
import type { ConcurrencyLimiter } from '../../utils/concurrency-limiter.ts';
import type { InPlaceBinaryFrame, OutboundContext, OutboundTransformer, TransformedFrame } from '../encryption-hooks.ts';
import type { MessageDelivery } from './message-delivery.ts';
import type { RoutedMessage } from './outbound-router.ts';
import type { BuildTally } from './socket-turn.ts';
import type { ServerMetrics } from '../server-metrics.ts';
import type { WebSocketClient } from '../registry/websocket-client.ts';

/** Dependencies of {@link TransformedDelivery}. */
export interface TransformedDeliveryInit {
  transformer: OutboundTransformer | undefined;
  /** Shared by the whole server: `encryptedBatchLimit` transformer calls at most, in submission order. */
  limiter: ConcurrencyLimiter;
  delivery: MessageDelivery;
  metrics: ServerMetrics;
  logger: Logger;
  /** Logs what a peer can repeat at will: the first of each kind per window, then a summary. */
  throttledLog: ThrottledLog;
}

/**
 * The path for encrypted clients: each message runs through the outbound
 * transformer under the server-wide concurrency limit, then is written in
 * the order it was sent to that client, even when the transformer is
 * asynchronous and finishes out of order. Fails closed: no transformer, a
 * throw or an empty result drops the message for that client and counts it.
 */
export class TransformedDelivery {
  /** Transformer calls running synchronously now (one, or more when one leads to another). */
  #running = 0;

  constructor(private readonly init: TransformedDeliveryInit) {}

  /** Whether the outbound transformer is running synchronously now, in the middle of a send. */
  get transforming(): boolean {
    return this.#running > 0;
  }

  /**
   * Sends one message to one encrypted client. When the transformer is
   * synchronous, a slot is free and nothing is queued for that client, the
   * frame is written at once and the result is a plain boolean; otherwise the
   * message waits its turn and the result is a promise. An in-place frame
   * that fails to build when the turn is written is counted in `tally`.
   */
  send(client: WebSocketClient, message: RoutedMessage, encoded: () => Uint8Array, tally?: BuildTally): boolean | Promise<boolean> {
    const { event } = message;
    const { transformer, limiter } = this.init;
    if (!transformer) {
      this.init.metrics.encryptedDrops += 1;
      return false;
    }
    const context: OutboundContext = { client, event, data: message.data, position: message.position, ack: message.ack, encoded };
    if (client.outboxPending === 0 && limiter.tryAcquire()) {
      let result: ReturnType<OutboundTransformer>;
      this.#running += 1;
      try {
        result = transformer(context);
      } catch (error) {
        limiter.release();
        return this.#write(client, this.#failed(client, event, error), tally);
      } finally {
        this.#running -= 1;
      }
      if (!(result instanceof Promise)) {
        limiter.release();
        return this.#write(client, result, tally);
      }
      return this.#queue(client, result.finally(() => limiter.release()), event, tally);
    }
    return this.#queue(client, limiter.run(() => transformer(context)), event, tally);
  }

  /** Writes after every earlier queued message of this client, in order. */
  #queue(
    client: WebSocketClient,
    result: Promise<TransformedFrame | null | undefined>,
    event: string,
    tally: BuildTally | undefined,
  ): Promise<boolean> {
    client.outboxPending += 1;
    // Settled into a value at once, so a failure is handled even while earlier sends are still queued.
    const transformed = result.then(
      (frame) => frame ?? undefined,
      (error: unknown) => this.#failed(client, event, error),
    );
    const written = client.outboxTail.then(() => transformed).then((frame) => {
      client.outboxPending -= 1;
      return this.#write(client, frame, tally);
    });
    client.outboxTail = written;
    return written;
  }

  #failed(client: WebSocketClient, event: string, error: unknown): undefined {
    this.init.throttledLog.note('outbound transformer failed; message dropped', errorKind(error), { clientId: client.id, event, err: error });
    return undefined;
  }

  #write(client: WebSocketClient, frame: TransformedFrame | null | undefined, tally: BuildTally | undefined): boolean {
    if (frame === undefined || frame === null) {
      this.init.metrics.encryptedDrops += 1;
      return false;
    }
    if (frame instanceof Uint8Array) return this.init.delivery.writeBinary(client, [frame]);
    if (Array.isArray(frame)) return this.init.delivery.writeBinary(client, frame as readonly Uint8Array[]);
    if (typeof frame === 'string') return this.init.delivery.writeText(client, frame);
    if (isInPlaceFrame(frame)) return this.init.delivery.deferBinary(client, frame, tally);
    const envelope = frame as { event: string; data: unknown };
    return this.init.delivery.writeText(client, encodeFrame(envelope.event, envelope.data));
  }
}

function isInPlaceFrame(frame: TransformedFrame): frame is InPlaceBinaryFrame {
  return typeof (frame as Partial<InPlaceBinaryFrame>).writeTo === 'function';
}

