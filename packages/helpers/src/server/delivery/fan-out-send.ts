import type { DeliveryReport } from './message-delivery.ts';
import type { RoutedMessage } from './outbound-router.ts';
import type { BuildTally } from './socket-turn.ts';
import type { WebSocketClient } from '../registry/websocket-client.ts';

/** One message on its way to many clients, and how far its sending has come. */
export interface FanOutSend {
  readonly message: RoutedMessage;
  /** The message as JSON, when it was serialized as it was sent (a held send: its data may change before it is written). */
  readonly text: string | undefined;
  /** The UTF-8 length of `text`. */
  readonly textBytes: number | undefined;
  readonly exclude: ReadonlySet<string> | undefined;
  /** The message as UTF-8 JSON, serialized on first use and then shared (the transformer's `encoded`). */
  readonly encoded: () => Uint8Array;
  /** The message framed once for every plaintext recipient, on first use. */
  plainFrame: Buffer | undefined;
  recipients: number;
  delivered: number;
  /** Encrypted recipients whose frame waits on the transformer. */
  pending: Array<Promise<boolean>> | undefined;
  /** In-place frames that failed to build when their turn was written. */
  tally: BuildTally | undefined;
}

/** A send of `message` that has reached no one yet. */
export function newFanOutSend(
  message: RoutedMessage,
  exclude: ReadonlySet<string> | undefined,
  encoded: () => Uint8Array,
  text?: string,
  textBytes?: number,
): FanOutSend {
  return { message, text, textBytes, exclude, encoded, plainFrame: undefined, recipients: 0, delivered: 0, pending: undefined, tally: undefined };
}

/** A send held until its batch is written, with the report its caller waits for. */
interface BatchedSend {
  readonly send: FanOutSend;
  readonly settle: (report: DeliveryReport | Promise<DeliveryReport>) => void;
}

/**
 * The room sends of the current turn to one room's members, held so they
 * are written member by member rather than message by message: each member
 * then gets the turn's messages together, in the order they were sent, and
 * its state is read once instead of once a message. Members that get every
 * message unchanged share one buffer of all of them.
 *
 * The batch is written before anything that could come between its messages
 * and a later write to one of its members: another send, a protocol answer,
 * a flush before a close, or a change to the room's members.
 */
export class FanOutBatch {
  readonly #sends: BatchedSend[] = [];
  /** Bytes of the messages held, as JSON. */
  bytes = 0;

  constructor(readonly members: ReadonlySet<WebSocketClient>) {}

  /** Adds a send of `bytes` bytes; its report comes once the batch is written. */
  add(send: FanOutSend, bytes: number): Promise<DeliveryReport> {
    this.bytes += bytes;
    return new Promise((settle) => this.#sends.push({ send, settle }));
  }

  /** The sends, in the order they were made. */
  sends(): FanOutSend[] {
    return this.#sends.map((batched) => batched.send);
  }

  /** Hands every send its report, or the error that stopped the batch. */
  settle(report: (send: FanOutSend) => DeliveryReport | Promise<DeliveryReport>): void {
    for (const batched of this.#sends) batched.settle(report(batched.send));
  }
}

/** Whether a send of the batch leaves `client` out. */
export function excludedFromAny(sends: readonly FanOutSend[], client: WebSocketClient): boolean {
  for (const send of sends) if (send.exclude?.has(client.id)) return true;
  return false;
}
