import { encodeFrame } from '../../protocol/frame-codec.ts';
import type { RoomPosition } from '../../protocol/room-position.ts';
import { ConnectionState } from '../registry/connection-state.ts';
import { MessageDelivery, type DeliveryReport } from './message-delivery.ts';
import { frameLength, writeTextFrame } from './websocket-frame.ts';
import type { TransformedDelivery } from './transformed-delivery.ts';
import { FanOutBatch, excludedFromAny, newFanOutSend, type FanOutSend } from './fan-out-send.ts';
import type { WebSocketClient } from '../registry/websocket-client.ts';

/** Sends to rooms with fewer members here are written at once: a batch pays off only when it is written to more than one. */
const MIN_BATCHED_MEMBERS = 2;

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
 *
 * Sends to a room's members (`toMembers`) made in one turn are batched
 * ({@link FanOutBatch}) and written member by member when the turn's
 * synchronous work is done: a room of 10,000 members sent twenty messages
 * then has each member's state read once, and members that get all twenty
 * share one buffer of them. Every other entry writes the batch first, so no
 * client's frames change order; the room registry does too before its
 * members change (`settle`).
 */
export class OutboundRouter {
  /** The room sends held in this turn, a batch per run of sends to the same members, in the order they were made. */
  readonly #batches: FanOutBatch[] = [];
  #settleScheduled = false;
  /** While batches are being written: sends batched meanwhile go after them, so they cannot overtake them for members not yet written. */
  #writingBatches = false;

  /**
   * @param maxBatchBytes a batch holds at most this many bytes of messages: a
   *   member's state is checked once a batch, so this bounds what a slow
   *   reader gets past `maxBufferedBytes`, as the turn budget does for writes.
   */
  constructor(
    private readonly delivery: MessageDelivery,
    private readonly transformed: TransformedDelivery,
    private readonly maxBatchBytes: number,
  ) {}

  /** Sends to every open client yielded, except those excluded; resolves once every write is done or dropped. */
  toClients(clients: Iterable<WebSocketClient>, message: RoutedMessage, exclude?: ReadonlySet<string>): Promise<DeliveryReport> {
    try {
      this.settle();
      const send = newFanOutSend(message, exclude, encodeOnce(message));
      for (const client of clients) this.#sendTo(client, send);
      return Promise.resolve(this.#report(send));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Sends to a room's members, `members` being the registry's own set of
   * them: batched with the turn's other sends to the same set, and written
   * once the turn's synchronous work is done or something else writes.
   */
  toMembers(members: ReadonlySet<WebSocketClient>, message: RoutedMessage, exclude?: ReadonlySet<string>): Promise<DeliveryReport> {
    if (members.size < MIN_BATCHED_MEMBERS) return this.toClients(members, message, exclude);
    let text: string;
    try {
      // Serialized now: the data may change once the call returns, before the batch is written.
      text = encodeMessage(message);
    } catch (error) {
      return Promise.reject(error);
    }
    const bytes = Buffer.byteLength(text);
    let batch = this.#batches.at(-1);
    if (batch?.members !== members || batch.bytes + bytes > this.maxBatchBytes) {
      this.settle();
      batch = new FanOutBatch(members);
      this.#batches.push(batch);
    }
    if (!this.#settleScheduled) {
      this.#settleScheduled = true;
      process.nextTick(this.#settleAtTurnEnd);
      // The batch's writes end the turn where they would have ended, made now.
      this.delivery.holdTurnOpen();
    }
    return batch.add(newFanOutSend(message, exclude, encodeOnce(message, text), text, bytes), bytes);
  }

  /** Writes the batched room sends now, in order: before any other write, and before a room's members change. */
  settle(): void {
    if (this.#writingBatches) return;
    this.#writingBatches = true;
    try {
      for (let batch = this.#batches.shift(); batch; batch = this.#batches.shift()) this.#write(batch);
    } finally {
      this.#writingBatches = false;
    }
  }

  /** Writes everything waiting, batched room sends first, on every socket now. */
  flushAll(): void {
    this.settle();
    this.delivery.flushAll();
  }

  /** Writes one batch and hands each of its sends its report, or the error that stopped the batch. */
  #write(batch: FanOutBatch): void {
    const sends = batch.sends();
    try {
      this.#writeBatch(batch.members, sends);
    } catch (error) {
      batch.settle(() => Promise.reject(error));
      return;
    }
    batch.settle((send) => this.#report(send));
  }

  readonly #settleAtTurnEnd = (): void => {
    this.#settleScheduled = false;
    this.settle();
  };

  /** Member by member: each gets the batch's messages in order, in one shared buffer when it is plaintext and left out of none. */
  #writeBatch(members: ReadonlySet<WebSocketClient>, sends: readonly FanOutSend[]): void {
    let shared: Buffer | undefined;
    let sharedRecipients = 0;
    let sharedDelivered = 0;
    const excludes = sends.some((send) => send.exclude !== undefined);
    for (const member of members) {
      if (member.state !== ConnectionState.OPEN) continue;
      if (member.protectedFrames || (excludes && excludedFromAny(sends, member))) {
        for (const send of sends) this.#sendTo(member, send);
        continue;
      }
      shared ??= plainFramesOf(sends);
      sharedRecipients += 1;
      if (this.delivery.writeFramed(member, shared, sends.length)) sharedDelivered += 1;
    }
    for (const send of sends) {
      send.recipients += sharedRecipients;
      send.delivered += sharedDelivered;
    }
  }

  /** Sends to one client, if it is open and not left out, by its path. */
  #sendTo(client: WebSocketClient, send: FanOutSend): void {
    if (client.state !== ConnectionState.OPEN || send.exclude?.has(client.id)) return;
    send.recipients += 1;
    if (client.protectedFrames) {
      const written = this.transformed.send(client, send.message, send.encoded, (send.tally ??= { failed: 0 }));
      if (written === true) send.delivered += 1;
      else if (written !== false) (send.pending ??= []).push(written);
      return;
    }
    if (this.delivery.writeFramed(client, plainFrameOf(send))) send.delivered += 1;
  }

  /** The send's report: now, or once its encrypted recipients' frames are written or dropped. */
  #report(send: FanOutSend): DeliveryReport | Promise<DeliveryReport> {
    if (!send.pending && !send.tally) return reportOf(send, send.delivered);
    return this.#reportWhenWritten(send);
  }

  async #reportWhenWritten(send: FanOutSend): Promise<DeliveryReport> {
    let delivered = send.delivered;
    if (send.pending) {
      for (const written of await Promise.all(send.pending)) if (written) delivered += 1;
    }
    if (send.tally) {
      // An in-place frame counts once it is built into its socket's bytes, when the turn is written.
      await this.delivery.whenWritten();
      delivered -= send.tally.failed;
    }
    return reportOf(send, delivered);
  }

  /**
   * Sends a protocol answer (`joined`, `left`, `error`, `sealed:reply`) to
   * one client, by the protected path once the client's frames are protected
   * (`connected` and the handshake's challenge too). Fire and forget. With
   * a write delay, the answer does not wait for it: it goes out at once,
   * after what the client already has waiting.
   */
  control(client: WebSocketClient, event: string, data: unknown, ack?: number): void {
    this.settle();
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

function reportOf(send: FanOutSend, delivered: number): DeliveryReport {
  return { recipients: send.recipients, delivered, dropped: send.recipients - delivered };
}

function encodeMessage(message: RoutedMessage): string {
  return encodeFrame(message.event, message.data, { position: message.position, ack: message.ack });
}

/** The message framed once for its plaintext recipients, serialized and framed on first use. */
function plainFrameOf(send: FanOutSend): Buffer {
  return (send.plainFrame ??= MessageDelivery.frameText(send.text ?? encodeMessage(send.message), send.textBytes));
}

/**
 * A batch's frames back to back in one buffer, framed straight into it from
 * the text each send was held with. A member that cannot take the buffer
 * whole gets each send's own frame, made apart (`plainFrameOf`): a slice
 * would keep the whole buffer alive while a lagging socket holds it, past
 * what its `bufferedAmount` says.
 */
function plainFramesOf(sends: readonly FanOutSend[]): Buffer {
  if (sends.length === 1) return plainFrameOf(sends[0]!);
  let length = 0;
  for (const send of sends) length += frameLength(send.textBytes!);
  const frames = Buffer.allocUnsafe(length);
  let at = 0;
  for (const send of sends) at = writeTextFrame(frames, at, send.text!, send.textBytes!);
  return frames;
}

/** The message as UTF-8 JSON (`text` when it was serialized already), made on first use and then shared. */
function encodeOnce(message: RoutedMessage, text?: string): () => Uint8Array {
  let bytes: Uint8Array | undefined;
  return () => (bytes ??= Buffer.from(text ?? encodeMessage(message)));
}
