import { roomPolicySays } from '../registry/room-policy.ts';
import type { ValueOrPromise } from '../../types/value-or-promise.ts';
import type { PresenceChange, PresenceMember } from '../../protocol/presence.ts';
import type { PresenceStore } from './presence-store.ts';

/** Heartbeats per `ttlMs`: two can be missed before the instance's members vanish. */
const HEARTBEATS_PER_TTL = 3;

export type { PresenceChange } from '../../protocol/presence.ts';

/** Says whether a room tracks presence. Synchronous, called on every join and leave: keep it a lookup. */
export type RoomPresenceFn = (context: { room: string }) => boolean;

/** What {@link RoomPresence} needs. */
export interface RoomPresenceInit {
  store: PresenceStore;
  roomPresenceFn: RoomPresenceFn | undefined;
  instanceId: string;
  /** How long this instance's members outlive its last heartbeat. */
  ttlMs: number;
  /** Sends `sealed:presence` to every member of the room, on every instance, but the excluded clients. */
  announce: (change: PresenceChange, exclude: readonly string[]) => ValueOrPromise<unknown>;
  /** A store operation failed; presence is best effort and the server goes on. */
  onFailure: (operation: string, error: unknown) => void;
}

/**
 * The members of rooms that track presence, across instances: a client
 * that joins such a room is added to the store and announced to the room
 * (`sealed:presence` `joined`), one that leaves or disconnects is removed
 * and announced (`left`). The instance says it is alive every third of
 * `ttlMs`; on the same beat it reaps the members of instances that stopped
 * (crashed) and announces them as `left`, so every room hears of them once.
 */
export class RoomPresence {
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly init: RoomPresenceInit) {}

  /** Whether a room tracks presence; a policy that throws says no. */
  tracks(room: string): boolean {
    return roomPolicySays(this.init.roomPresenceFn, room);
  }

  /** Whether any room may track presence (only then does the instance beat). */
  get enabled(): boolean {
    return this.init.roomPresenceFn !== undefined;
  }

  /** Starts the heartbeat (and reaping); idempotent. */
  async start(): Promise<void> {
    if (!this.enabled || this.#timer) return;
    await this.#beat();
    this.#timer = setInterval(() => void this.#beat(), Math.max(1, Math.floor(this.init.ttlMs / HEARTBEATS_PER_TTL)));
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * A member joined rooms: adds it where presence is tracked, announces it,
   * and returns each such room's members (itself included).
   */
  async joined(member: PresenceMember, rooms: readonly string[]): Promise<Record<string, PresenceMember[]> | undefined> {
    const tracked = rooms.filter((room) => this.tracks(room));
    if (tracked.length === 0) return undefined;
    const members: Record<string, PresenceMember[]> = {};
    for (const room of tracked) {
      try {
        await this.init.store.add(room, member, this.init.instanceId);
        members[room] = await this.init.store.members(room);
      } catch (error) {
        this.init.onFailure('add', error);
        members[room] = [member];
      }
      // The joiner learns the members from its `joined` answer.
      await this.#announce({ room, joined: [member], left: [] }, [member.clientId]);
    }
    return members;
  }

  /** A member left rooms (or disconnected): removes and announces it where presence is tracked. */
  async left(member: PresenceMember, rooms: readonly string[]): Promise<void> {
    for (const room of rooms) {
      if (!this.tracks(room)) continue;
      try {
        await this.init.store.remove(room, member.clientId, this.init.instanceId);
      } catch (error) {
        this.init.onFailure('remove', error);
      }
      await this.#announce({ room, joined: [], left: [member] });
    }
  }

  /** Every member of a room on a live instance. */
  members(room: string): ValueOrPromise<PresenceMember[]> {
    return this.init.store.members(room);
  }

  async #beat(): Promise<void> {
    try {
      await this.init.store.heartbeat(this.init.instanceId, this.init.ttlMs);
      const reaped = await this.init.store.reap();
      for (const [room, left] of reaped) await this.#announce({ room, joined: [], left: [...left] });
    } catch (error) {
      this.init.onFailure('heartbeat', error);
    }
  }

  async #announce(change: PresenceChange, exclude: readonly string[] = []): Promise<void> {
    try {
      await this.init.announce(change, exclude);
    } catch (error) {
      this.init.onFailure('announce', error);
    }
  }
}
