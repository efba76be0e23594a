import { encodeFrame } from '../../protocol/frame-codec.ts';
import type { RoomPosition } from '../../protocol/room-position.ts';
import { ConnectionState } from '../registry/connection-state.ts';
import { MessageDelivery, type DeliveryReport } from './message-delivery.ts';
import type { TransformedDelivery } from './transformed-delivery.ts';
import type { BuildTally } from './socket-turn.ts';
import type { WebSocketClient } from '../registry/websocket-client.ts';

/** A message on its way out: a room message of a room that keeps history has its position, a request or a reply its `ack` id. */
export interface RoutedMessage {
  readonly event: string;
  readonly data?: unknown;
  readonly position?: RoomPosition;
  readonly ack?: number;
}

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
    message: RoutedMessage,
    exclude?: ReadonlySet<string>,
  ): Promise<DeliveryReport> {
    let plainFrame: Buffer | undefined;
    let recipients = 0;
    let delivered = 0;
    let pending: Array<Promise<boolean>> | undefined;
    let tally: BuildTally | undefined;
    const encoded = encodeOnce(message);
    for (const client of clients) {
      if (client.state !== ConnectionState.OPEN || exclude?.has(client.id)) continue;
      recipients += 1;
      if (client.protectedFrames) {
        const written = this.transformed.send(client, message, encoded, (tally ??= { failed: 0 }));
        if (written === true) delivered += 1;
        else if (written !== false) (pending ??= []).push(written);
        continue;
      }
      // Serialized and framed once, and only if some recipient is plaintext.
      plainFrame ??= MessageDelivery.frameText(encodeMessage(message));
      if (this.delivery.writeFramed(client, plainFrame)) delivered += 1;
    }
    if (pending) {
      for (const written of await Promise.all(pending)) if (written) delivered += 1;
    }
    if (tally) {
      // An in-place frame counts once it is built into its socket's bytes, when the turn is written.
      await this.delivery.whenWritten();
      delivered -= tally.failed;
    }
    return { recipients, delivered, dropped: recipients - delivered };
  }

  /**
   * Sends a protocol answer (`joined`, `left`, `error`, `sealed:reply`) to
   * one client, by the protected path once the client's frames are protected
   * (`connected` and the handshake's challenge too). Fire and forget. With
   * a write delay, the answer does not wait for it: it goes out at once,
   * after what the client already has waiting.
   */
  control(client: WebSocketClient, event: string, data: unknown, ack?: number): void {
    const message: RoutedMessage = { event, data, ack };
    if (!client.protectedFrames) {
      this.delivery.writeText(client, encodeMessage(message));
      this.delivery.expedite(client);
      return;
    }
    const written = this.transformed.send(client, message, encodeOnce(message));
    if (written === true) this.delivery.expedite(client);
    else if (written !== false) void written.then((sent) => sent && this.delivery.expedite(client));
  }
}

function encodeMessage(message: RoutedMessage): string {
  return encodeFrame(message.event, message.data, { position: message.position, ack: message.ack });
}

/** The message as UTF-8 JSON, serialized on first use and then shared. */
function encodeOnce(message: RoutedMessage): () => Uint8Array {
  let bytes: Uint8Array | undefined;
  return () => (bytes ??= Buffer.from(encodeMessage(message)));
}
