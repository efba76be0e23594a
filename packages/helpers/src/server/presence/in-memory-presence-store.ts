import type { PresenceMember, PresenceStore, ReapedMembers } from './presence-store.ts';

const NOTHING_REAPED: ReapedMembers = new Map();

/**
 * A {@link PresenceStore} in this process's memory: the embedded default
 * for one instance. Its instance cannot crash without taking the store
 * along, so it has nothing to reap.
 */
export class InMemoryPresenceStore implements PresenceStore {
  readonly sharedAcrossProcesses = false;
  readonly #rooms = new Map<string, Map<string, PresenceMember>>();

  add(room: string, member: PresenceMember): void {
    let members = this.#rooms.get(room);
    if (!members) {
      members = new Map();
      this.#rooms.set(room, members);
    }
    members.set(member.clientId, { clientId: member.clientId, userId: member.userId });
  }

  remove(room: string, clientId: string): void {
    const members = this.#rooms.get(room);
    if (!members?.delete(clientId) || members.size > 0) return;
    this.#rooms.delete(room);
  }

  members(room: string): PresenceMember[] {
    return [...(this.#rooms.get(room)?.values() ?? [])];
  }

  heartbeat(): void {}

  reap(): ReapedMembers {
    return NOTHING_REAPED;
  }
}
