import type { ClientRegistry } from '../registry/client-registry.ts';
import { ConnectionState } from '../registry/connection-state.ts';
import type { RoomRegistry } from '../registry/room-registry.ts';
import type { WebSocketClient } from '../registry/websocket-client.ts';

/** Whom a message is for: one connection, every connection of a user, a room's members, or everyone. */
export type DeliveryTarget =
  | { kind: 'room'; room: string }
  | { kind: 'user'; userId: string }
  | { kind: 'client'; clientId: string }
  | { kind: 'all' };

const NO_ONE: readonly WebSocketClient[] = Object.freeze([]);

/**
 * This instance's recipients of `target`: what a send from this instance and
 * a delivery from the bus both reach here. Recipients that are not open are
 * skipped later, by the router.
 */
export function resolveRecipients(target: DeliveryTarget, clients: ClientRegistry, rooms: RoomRegistry): Iterable<WebSocketClient> {
  switch (target.kind) {
    case 'room':
      return rooms.members(target.room);
    case 'user':
      return clients.byUser(target.userId);
    case 'all':
      return clients.all();
    case 'client': {
      const client = clients.get(target.clientId);
      return client?.state === ConnectionState.OPEN ? [client] : NO_ONE;
    }
  }
}
