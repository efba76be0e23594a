import { encodeFrame } from '../protocol/frame-codec.ts';
import { ConnectionState } from './connection-state.ts';
import type { DeliveryReport, MessageDelivery } from './message-delivery.ts';
import type { TransformedDelivery } from './transformed-delivery.ts';
import type { WebSocketClient } from './websocket-client.ts';

/**
 * Sends one message to many clients by the right path for each: plaintext
 * clients share one serialized frame (the fast path); encrypted clients each
 * get their own transformed frame.
 */
export class OutboundRouter {
  constructor(
    private readonly delivery: MessageDelivery,
    private readonly transformed: TransformedDelivery,
  ) {}

  /** Sends to every open client yielded, except those excluded; resolves once every write is done or dropped. */
  async toClients(
    clients: Iterable<WebSocketClient>,
    event: string,
    data: unknown,
    exclude?: ReadonlySet<string>,
  ): Promise<DeliveryReport> {
    let plainFrame: Buffer | undefined;
    let recipients = 0;
    let delivered = 0;
    let pending: Array<Promise<boolean>> | undefined;
    for (const client of clients) {
      if (client.state !== ConnectionState.OPEN || exclude?.has(client.id)) continue;
      recipients += 1;
      if (client.encrypted) {
        (pending ??= []).push(this.transformed.send(client, event, data));
        continue;
      }
      // Serialized once, as bytes, and only if some recipient is plaintext.
      plainFrame ??= Buffer.from(encodeFrame(event, data));
      if (this.delivery.write(client, plainFrame)) delivered += 1;
    }
    if (pending) {
      for (const written of await Promise.all(pending)) if (written) delivered += 1;
    }
    return { recipients, delivered, dropped: recipients - delivered };
  }

  /**
   * Sends a protocol answer (`joined`, `left`, `error`) to one client, by the
   * encrypted path once the client is encrypted. Fire and forget.
   */
  control(client: WebSocketClient, event: string, data: unknown): void {
    if (client.encrypted) void this.transformed.send(client, event, data);
    else this.delivery.write(client, encodeFrame(event, data));
  }
}
