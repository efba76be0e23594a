import type { Logger } from '../../logging/logger.ts';
import type { RoomPosition, StreamPosition } from '../../protocol/room-position.ts';
import type { ThrottledLog } from '../../logging/throttled-log.ts';
import { BusChannels, instanceOfClient } from '../../bus/bus-channels.ts';
import { EnvelopeCodec, type BusEnvelope } from '../../bus/bus-envelope.ts';
import { sharedAcrossProcesses, type MessageBus } from '../../bus/message-bus.ts';
import { ReplayGuard } from '../../crypto/replay-guard.ts';
import { refuseReservedEventName } from '../../protocol/event-names.ts';
import type { ClientRegistry } from '../registry/client-registry.ts';
import { ClusterRelay } from './cluster-relay.ts';
import { RoomSequencer } from './room-sequencer.ts';
import { resolveRecipients, type DeliveryTarget } from '../delivery/delivery-target.ts';
import type { DeliveryReport } from '../delivery/message-delivery.ts';
import type { OutboundRouter } from '../delivery/outbound-router.ts';
import type { RoomRegistry } from '../registry/room-registry.ts';
import type { ServerMetrics } from '../server-metrics.ts';

/** What {@link TargetedDelivery} needs. */
export interface TargetedDeliveryInit {
  instanceId: string;
  clients: ClientRegistry;
  rooms: RoomRegistry;
  router: OutboundRouter;
  metrics: ServerMetrics;
  logger: Logger;
  /** Logs what a peer can repeat at will: the first of each kind per window, then a summary. */
  throttledLog: ThrottledLog;
  /** The bus to other instances; without it this instance is alone. */
  bus: MessageBus | undefined;
  busSecret: string | undefined;
  busChannelPrefix: string;
  maxBusEnvelopeBytes: number;
  maxBusEnvelopeAgeMs: number;
  busDuplicateCacheSize: number;
  /** Longest a room message from across instances waits for an earlier offset of its room, in ms. */
  historyReorderMs: number;
  /** Most messages of one room held waiting. */
  historyMaxHeld: number;
}

/** One message to a target. */
export interface TargetedMessage {
  event: string;
  data?: unknown;
  /** Client ids that must not receive it. */
  exclude?: readonly string[];
  /** Its position in its room's history, for a room that keeps one. */
  position?: RoomPosition;
}

/** The report of a message delivered to nobody here. */
const NOTHING_DELIVERED: DeliveryReport = Object.freeze({ recipients: 0, delivered: 0, dropped: 0 });

/**
 * Sends a message to a target wherever its recipients are: this instance's
 * through the outbound router, other instances' over the bus (when there is
 * one), and delivers what other instances publish to this instance's
 * recipients, with the same recipient rule both ways. With a bus, the
 * positioned messages of a room reach this instance's members in offset
 * order, whichever instance sent them (see {@link RoomSequencer}).
 */
export class TargetedDelivery {
  readonly #relay: ClusterRelay | undefined;
  readonly #sequencer: RoomSequencer | undefined;

  constructor(private readonly init: TargetedDeliveryInit) {
    if (!init.bus) return;
    const sequencer = new RoomSequencer({
      holdMs: init.historyReorderMs,
      maxHeld: init.historyMaxHeld,
      onGapSkipped: (room, missing) => {
        init.metrics.historySkippedMessages += missing;
        init.throttledLog.note('room messages lost between instances; skipped', 'gap', { room, missing });
      },
    });
    this.#sequencer = sequencer;
    if (init.busSecret === undefined && sharedAcrossProcesses(init.bus)) {
      init.logger.warn('bus envelopes are not authenticated (no busSecret): whoever can write to the bus can send events to every client');
    }
    this.#relay = new ClusterRelay({
      bus: init.bus,
      instanceId: init.instanceId,
      channels: new BusChannels(init.busChannelPrefix),
      codec: new EnvelopeCodec({ secret: init.busSecret, maxBytes: init.maxBusEnvelopeBytes, maxAgeMs: init.maxBusEnvelopeAgeMs }),
      // An id is remembered on both sides of the age window, as long as an envelope with it could be accepted.
      seen: new ReplayGuard(2 * init.maxBusEnvelopeAgeMs, init.busDuplicateCacheSize),
      now: Date.now,
      metrics: init.metrics,
      logger: init.logger,
      throttledLog: init.throttledLog,
      deliver: (envelope) => void this.#deliverFromBus(envelope),
    });
    const relay = this.#relay;
    init.rooms.listen({
      roomOpened: (room) => relay.roomOpened(room),
      roomClosed: (room) => {
        relay.roomClosed(room);
        sequencer.forget(room);
      },
    });
    init.clients.listen(this.#relay);
    this.#relay.start();
  }

  /**
   * Delivers to this instance's recipients of `target` and, when others may hold some, publishes it to them. The report counts this instance's.
   *
   * @throws SealedError `RESERVED_EVENT_NAME` (as a rejection) for an event name of the protocol: nothing is sent.
   */
  send(target: DeliveryTarget, message: TargetedMessage): Promise<DeliveryReport> {
    try {
      refuseReservedEventName(message.event);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.announce(target, message);
  }

  /** Sends what the server itself says to a target everywhere (a room's `sealed:presence`), protocol event names allowed. */
  announce(target: DeliveryTarget, message: TargetedMessage): Promise<DeliveryReport> {
    let here: Promise<DeliveryReport>;
    try {
      here = this.#deliverHere(target, message);
    } catch (error) {
      return Promise.reject(error);
    }
    // Alone, the report is this instance's delivery as it comes: no promise in between.
    if (!this.#reachesOtherInstances(target)) return here;
    return Promise.all([here, this.#relay!.publish(target, message)]).then(([report]) => report);
  }

  /** Where a room's stream stood when a member here read it: this instance's live messages of the room go on from there. */
  streamRead(room: string, top: StreamPosition): void {
    this.#sequencer?.expect(room, top);
  }

  /** Leaves every bus channel; delivers what was held. */
  async stop(): Promise<void> {
    this.#sequencer?.stop();
    await this.#relay?.stop();
  }

  /** Delivers to this instance's recipients, a positioned message in its room's offset order (recipients are those of when its turn comes). */
  #deliverHere(target: DeliveryTarget, message: TargetedMessage): Promise<DeliveryReport> {
    const run = (): Promise<DeliveryReport> => {
      const exclude = exclusionOf(message.exclude);
      // A room's own member set, so that the turn's sends to it are batched.
      if (target.kind === 'room') return this.init.router.toMembers(this.init.rooms.members(target.room), message, exclude);
      return this.init.router.toClients(resolveRecipients(target, this.init.clients, this.init.rooms), message, exclude);
    };
    const { position } = message;
    // A room with no member here has nobody to keep in order (and no roomClosed to forget it by).
    if (!this.#sequencer || !position || this.init.rooms.members(position.room).size === 0) return run();
    return new Promise((resolve) => {
      const outcome = this.#sequencer!.order(position, () => resolve(run()));
      if (outcome !== 'late') return;
      this.init.metrics.historyLateMessages += 1;
      resolve(NOTHING_DELIVERED);
    });
  }

  /** Whether other instances may hold recipients of `target`: always, but for a client id this instance issued. */
  #reachesOtherInstances(target: DeliveryTarget): boolean {
    if (!this.#relay) return false;
    if (target.kind !== 'client') return true;
    const instance = instanceOfClient(target.clientId);
    return instance !== undefined && instance !== this.init.instanceId;
  }

  /** Delivers what another instance published to this instance's clients; never publishes it again. */
  #deliverFromBus(envelope: BusEnvelope): Promise<DeliveryReport> {
    const { target, event, data, exclude, position } = envelope;
    return this.#deliverHere(target, { event, data, exclude, position });
  }
}

function exclusionOf(exclude: readonly string[] | undefined): ReadonlySet<string> | undefined {
  return exclude && exclude.length > 0 ? new Set(exclude) : undefined;
}
