import { BusDefaults } from './bus-defaults.ts';
import type { BusTarget } from './bus-envelope.ts';

/**
 * Channel names: one per room and per user (subscribed only while an
 * instance has local members), one per instance (for messages to one of its
 * clients), and one for everyone.
 */
export class BusChannels {
  constructor(private readonly prefix: string = BusDefaults.CHANNEL_PREFIX) {}

  room(room: string): string {
    return `${this.prefix}:room:${room}`;
  }

  user(userId: string): string {
    return `${this.prefix}:user:${userId}`;
  }

  instance(instanceId: string): string {
    return `${this.prefix}:instance:${instanceId}`;
  }

  all(): string {
    return `${this.prefix}:all`;
  }

  /** The channel a target is published on. Client ids start with their instance id. */
  forTarget(target: BusTarget): string | undefined {
    switch (target.kind) {
      case 'room':
        return this.room(target.room);
      case 'user':
        return this.user(target.userId);
      case 'all':
        return this.all();
      case 'client': {
        const instanceId = instanceOfClient(target.clientId);
        return instanceId === undefined ? undefined : this.instance(instanceId);
      }
    }
  }
}

/** Separates the instance id from the rest of a client id. */
export const CLIENT_ID_SEPARATOR = '.';

/** The instance a client id was issued by, or `undefined` for an id without one. */
export function instanceOfClient(clientId: string): string | undefined {
  const end = clientId.indexOf(CLIENT_ID_SEPARATOR);
  return end > 0 ? clientId.slice(0, end) : undefined;
}
