import { WebSocket } from 'ws';
import { CloseCode } from '../../protocol/close-codes.ts';
import type { OutboundBudget } from './outbound-budget.ts';
import type { BuildTally, PayloadBuilder } from './socket-turn.ts';
import type { TurnWriter } from './turn-writer.ts';
import { Opcode, frameLength, writeTextFrame } from './websocket-frame.ts';
import type { ServerMetrics } from '../server-metrics.ts';
import type { WebSocketClient } from '../registry/websocket-client.ts';
import { SlowConsumerPolicy } from '../server-settings.ts';

/** How many recipients a send reached. */
export interface DeliveryReport {
  /** Clients the message was addressed to (after `exclude`). */
  recipients: number;
  /** Clients whose socket the message was written to (an in-place frame: once it was built into the socket's bytes). */
  delivered: number;
  /** Clients it was addressed to but not written to: socket not open, slow consumer, or (encrypted clients) the transformer failed. */
  dropped: number;
}


/** Dependencies of {@link MessageDelivery}. */
export interface MessageDeliveryInit {
  maxBufferedBytes: number;
  slowConsumerPolicy: SlowConsumerPolicy;
  metrics: ServerMetrics;
  writer: TurnWriter;
  /** The budget of unsent bytes across all sockets; told each recipient's buffered bytes. */
  budget: OutboundBudget;
  closeClient: (client: WebSocketClient, code: CloseCode, reason: string) => void;
}

/**
 * Writes frames to sockets, coalesced per event-loop turn. Sockets that are
 * not open are skipped; slow readers meet the backpressure policy instead of
 * growing memory without bound. A message for many plaintext recipients is
 * framed once (`frameText`) and the same bytes go to every socket.
 */
export class MessageDelivery {
  constructor(private readonly init: MessageDeliveryInit) {}

  /** Frames a text message once, for `writeFramed` to many clients; `byteLength` is its UTF-8 length, when known. */
  static frameText(text: string, byteLength = Buffer.byteLength(text)): Buffer {
    const frame = Buffer.allocUnsafe(frameLength(byteLength));
    writeTextFrame(frame, 0, text, byteLength);
    return frame;
  }

  /** Writes one text message to one client; returns whether it was written. */
  writeText(client: WebSocketClient, text: string): boolean {
    if (!this.#writable(client)) return false;
    this.init.writer.writeFramed(client.stream, MessageDelivery.frameText(text));
    return this.#delivered();
  }

  /** Writes bytes framed once by `frameText` (`messages` such frames back to back) to one client; returns whether they were written. */
  writeFramed(client: WebSocketClient, frame: Buffer, messages = 1): boolean {
    if (!this.#writable(client, messages)) return false;
    this.init.writer.writeFramed(client.stream, frame);
    return this.#delivered(messages);
  }

  /** Writes one binary message, given as chunks written back to back, to one client; returns whether it was written. */
  writeBinary(client: WebSocketClient, chunks: readonly Uint8Array[]): boolean {
    if (!this.#writable(client)) return false;
    this.init.writer.writeFrame(client.stream, Opcode.BINARY, chunks);
    return this.#delivered();
  }

  /**
   * Queues one binary message that `payload` builds in place when the
   * client's writes of this turn go out; returns whether it was queued.
   * Nothing is built for a client that is not writable now. A frame whose
   * build fails then is counted in `tally`: {@link whenWritten} tells when
   * the tally is final.
   */
  deferBinary(client: WebSocketClient, payload: PayloadBuilder, tally?: BuildTally): boolean {
    if (!this.#writable(client)) return false;
    this.init.writer.deferFrame(client.stream, payload, tally);
    return this.#delivered();
  }

  /** Schedules the end of this turn's writes now, for writes that come later in the turn (`TurnWriter.holdTurnOpen`). */
  holdTurnOpen(): void {
    this.init.writer.holdTurnOpen();
  }

  /** Resolves once every in-place frame queued so far has been built or left out. */
  whenWritten(): Promise<void> {
    return this.init.writer.whenWritten();
  }

  /** Writes whatever this turn holds for the client now, ahead of a close frame. */
  flush(client: WebSocketClient): void {
    this.init.writer.flush(client.stream);
  }

  /** With a write delay, writes what the client has waiting now; otherwise it goes at the end of the turn, as it would. */
  expedite(client: WebSocketClient): void {
    this.init.writer.expedite(client.stream);
  }

  /** Writes whatever is waiting for every socket now, and cancels a delayed write still pending. */
  flushAll(): void {
    this.init.writer.flushAll();
  }

  /** Whether `messages` messages may be written to the client now; past `maxBufferedBytes` they meet the slow-consumer policy. */
  #writable(client: WebSocketClient, messages = 1): boolean {
    const socket = client.socket;
    if (socket.readyState !== WebSocket.OPEN) return false;
    const buffered = client.unsentBytes;
    if (buffered > this.init.maxBufferedBytes) {
      this.#onSlowConsumer(client, messages);
      return false;
    }
    this.init.budget.observe(client, buffered);
    // The sweep may have cut this very client off.
    return socket.readyState === WebSocket.OPEN;
  }

  #delivered(messages = 1): true {
    this.init.metrics.messagesDelivered += messages;
    return true;
  }

  #onSlowConsumer(client: WebSocketClient, messages: number): void {
    if (this.init.slowConsumerPolicy === SlowConsumerPolicy.DROP) {
      this.init.metrics.slowConsumerDrops += messages;
      return;
    }
    this.init.metrics.slowConsumerCloses += 1;
    this.init.closeClient(client, CloseCode.SLOW_CONSUMER, 'Outbound buffer full');
  }
}
