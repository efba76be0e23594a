import type { Logger } from '../../logging/logger.ts';
import type { RoomPosition } from '../../protocol/room-position.ts';
import type { ThrottledLog } from '../../logging/throttled-log.ts';
import { BusChannels, instanceOfClient } from '../../bus/bus-channels.ts';
import { EnvelopeCodec, type BusEnvelope } from '../../bus/bus-envelope.ts';
import { sharedAcrossProcesses, type MessageBus } from '../../bus/message-bus.ts';
import { ReplayGuard } from '../../crypto/replay-guard.ts';
import { refuseReservedEventName } from '../../protocol/event-names.ts';
import type { ClientRegistry } from '../registry/client-registry.ts';
import { ClusterRelay } from './cluster-relay.ts';
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

/**
 * Sends a message to a target wherever its recipients are: this instance's
 * through the outbound router, other instances' over the bus (when there is
 * one), and delivers what other instances publish to this instance's
 * recipients, with the same recipient rule both ways.
 */
export class TargetedDelivery {
  readonly #relay: ClusterRelay | undefined;

  constructor(private readonly init: TargetedDeliveryInit) {
    if (!init.bus) return;
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
    init.rooms.listen(this.#relay);
    init.clients.listen(this.#relay);
    this.#relay.start();
  }

  /**
   * Delivers to this instance's recipients of `target` and, when others may hold some, publishes it to them. The report counts this instance's.
   *
   * @throws SealedError `RESERVED_EVENT_NAME` (as a rejection) for an event name of the protocol: nothing is sent.
   */
  async send(target: DeliveryTarget, message: TargetedMessage): Promise<DeliveryReport> {
    refuseReservedEventName(message.event);
    const recipients = resolveRecipients(target, this.init.clients, this.init.rooms);
    const [report] = await Promise.all([
      this.init.router.toClients(recipients, message, exclusionOf(message.exclude)),
      this.#reachesOtherInstances(target) ? this.#relay!.publish(target, message.event, message.data, message.exclude) : undefined,
    ]);
    return report;
  }

  /** Leaves every bus channel. */
  async stop(): Promise<void> {
    await this.#relay?.stop();
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
    const recipients = resolveRecipients(envelope.target, this.init.clients, this.init.rooms);
    return this.init.router.toClients(recipients, { event: envelope.event, data: envelope.data }, exclusionOf(envelope.exclude));
  }
}

function exclusionOf(exclude: readonly string[] | undefined): ReadonlySet<string> | undefined {
  return exclude && exclude.length > 0 ? new Set(exclude) : undefined;
}
