import type { KeyPackage } from 'ts-mls';
import { ErrorCode } from '../../protocol/error-codes.ts';
import { ClientEvent, ServerEvent } from '../../protocol/event-names.ts';
import type { LoggedCommit, RoomDevice } from '../../protocol/end-to-end.ts';
import { SealedError } from '../../protocol/sealed-error.ts';
import { END_TO_END_DEFAULTS, type RoomState } from './end-to-end-defaults.ts';
import { decodeMessage, isRefusal, messageEpoch, readKeyPackage } from './mls-wire.ts';
import { ClientFailureCode, SealedClientError } from '../sealed-client-error.ts';
import type { DeviceKeyPackages } from './device-key-packages.ts';
import { GroupMessageError, RoomGroup, type PendingCommit } from './room-group.ts';
import { KeptGroupStates, type GroupStateStore } from './kept-group-states.ts';

/** What {@link EndToEndRooms} needs from the client. */
export interface EndToEndRoomsInit {
  keyPackages: DeviceKeyPackages;
  /** This device's id: its identity public key, base64. */
  device: () => string;
  /** The user the connection authenticated as. */
  userId: () => string | undefined;
  /** Sends a request on the current connection. */
  request: (event: string, data: unknown) => Promise<unknown>;
  randomBytes: (length: number) => Uint8Array;
  /** A decrypted room message: `event` to the application's listeners, with its room and verified sender. */
  deliver: (message: { room: string; event: string; sender: RoomDevice; data: unknown }) => void;
  /** The members of a room's group changed (or this device entered or left it). */
  membersChanged: (change: { room: string; epoch: number; members: RoomDevice[]; member: boolean }) => void;
  /** Something that did not end the connection went wrong. */
  report: (code: ClientFailureCode, message: string) => void;
  rotationIntervalMs: number;
  /** Keeps each room's group state across restarts; without it, a new client starts with none (`E2E_STATE_LOST`). */
  stateStore: GroupStateStore | undefined;
}

/** One end-to-end room as this device sees it. */
interface RoomSession {
  group: RoomGroup | undefined;
  /** Every step of the room runs after the previous one. */
  tail: Promise<unknown>;
  timers: Set<ReturnType<typeof setTimeout>>;
  rotation: ReturnType<typeof setInterval> | undefined;
}

/**
 * The member side of end-to-end rooms, without application code: on
 * joining one, the device publishes KeyPackages, then founds the room's
 * group, joins it from its Welcome, or waits to be added; as a member it
 * adds the devices the server says wait and removes those that left (the
 * group's first member at once, the others after a delay by rank, in case
 * it is away), processes other members' commits (catching up from the log
 * when behind), refreshes its keys on a schedule, and encrypts and decrypts
 * the room's messages bound to their room and event. Every step of one
 * room runs after the one before.
 */
export class EndToEndRooms {
  readonly #rooms = new Map<string, RoomSession>();
  readonly #kept: KeptGroupStates;

  constructor(private readonly init: EndToEndRoomsInit) {
    this.#kept = new KeptGroupStates(init.stateStore);
  }

  /** The members of a room's group as this device knows them; empty until it is in the group. */
  members(room: string): RoomDevice[] {
    return this.#rooms.get(room)?.group?.members ?? [];
  }

  /** A new connection: KeyPackages are published again when an end-to-end room is joined on it. */
  connectionOpened(): void {
    this.init.keyPackages.connectionOpened();
  }

  /** The end-to-end rooms among those a `joined` answer names: each is set up. */
  joined(rooms: readonly string[]): void {
    for (const room of rooms) {
      let session = this.#rooms.get(room);
      if (!session) this.#rooms.set(room, (session = { group: undefined, tail: Promise.resolve(), timers: new Set(), rotation: undefined }));
      this.#queue(room, () => this.#setUp(room));
    }
  }

  /** Rooms left: out of the room, out of its group, so their state is dropped, the kept one too. */
  left(rooms: readonly string[]): void {
    for (const room of rooms) {
      if (this.#forget(room)) void this.#kept.keep(room, undefined).catch(() => undefined);
    }
  }

  /** Stops a room's timers and drops its state in memory; whether the room was known. */
  #forget(room: string): boolean {
    const session = this.#rooms.get(room);
    if (!session) return false;
    this.#stopTimers(session);
    this.#rooms.delete(room);
    return true;
  }

  /** Takes an event of end-to-end rooms (the loader passes only those); events of rooms this client is not in are dropped. */
  accept(event: string, data: unknown): void {
    const room = (data as { room?: unknown } | null)?.room;
    if (typeof room !== 'string' || !this.#rooms.has(room)) return;
    const payload = data as Record<string, unknown>;
    if (event === ServerEvent.MLS_WAITING) this.#queue(room, () => this.#lookAt(room, false));
    else if (event === ServerEvent.MLS_COMMIT) this.#queue(room, () => this.#onCommit(room, payload.epoch as number, payload.commit as string));
    else if (event === ServerEvent.MLS_WELCOME) this.#queue(room, () => this.#onWelcome(room, payload.epoch as number, payload.welcome as string));
    else if (event === ServerEvent.MLS_MESSAGE) this.#queue(room, () => this.#onMessage(room, payload.event as string, payload.message as string, payload.sender as RoomDevice));
  }

  /**
   * Encrypts `data` for the room's group and sends it through the server.
   *
   * @throws SealedClientError `E2E_NOT_MEMBER` before this device is in the group; the server's refusal otherwise.
   */
  send(room: string, event: string, data: unknown): Promise<void> {
    if (!this.#rooms.has(room)) return Promise.reject(new SealedClientError(ClientFailureCode.E2E_NOT_MEMBER, `"${room}" is not an end-to-end room this client is in`));
    return this.#queue(room, async () => {
      for (let attempt = 0; ; attempt += 1) {
        const group = this.#rooms.get(room)?.group;
        if (!group) throw new SealedClientError(ClientFailureCode.E2E_NOT_MEMBER, `This device is not in the group of "${room}" yet`);
        try {
          const message = await group.encrypt(event, data);
          await this.#persist(room);
          await this.init.request(ClientEvent.MLS_SEND, { room, event, message });
          return;
        } catch (error) {
          // The group moved on meanwhile: catch up once, and send at the new epoch.
          if (attempt > 0 || !isRefusal(error, ErrorCode.MLS_MESSAGE_REFUSED)) throw error;
          await this.#catchUp(room);
        }
      }
    });
  }

  /** Stops every timer and drops the rooms' state in memory; what the state store kept stays, for the device's next client. */
  close(): void {
    for (const room of [...this.#rooms.keys()]) this.#forget(room);
  }

  #queue<T>(room: string, step: () => Promise<T>): Promise<T> {
    const session = this.#rooms.get(room)!;
    const run = session.tail.then(() => (this.#rooms.get(room) === session ? step() : (undefined as T)));
    session.tail = run.catch(() => undefined);
    return run;
  }

  async #setUp(room: string): Promise<void> {
    try {
      const userId = this.init.userId();
      if (userId !== undefined) {
        await this.init.keyPackages.publishOnce(userId, END_TO_END_DEFAULTS.keyPackagesPerConnection, (payload) => this.init.request(ClientEvent.MLS_PUBLISH, payload));
      }
      const state = await this.#roomState(room);
      const session = this.#rooms.get(room)!;
      const me = this.init.device();
      const inGroup = state.members.some((leaf) => leaf?.device === me);
      const restored = !session.group && inGroup ? await this.#kept.restore(room, state.groupId) : undefined;
      if (restored) this.#enter(room, restored);
      if (session.group) {
        await this.#catchUp(room);
      } else if (inGroup) {
        const welcome = state.welcome && (await RoomGroup.join(room, state.welcome.welcome, this.init.keyPackages.held));
        if (!welcome) {
          this.init.report(ClientFailureCode.E2E_STATE_LOST, `This device is in the group of "${room}" but holds none of its keys: leave and join the room to be added again`);
          return;
        }
        this.#enter(room, welcome);
        await this.#catchUp(room);
      } else if (state.groupId === null) {
        const [own] = await this.init.keyPackages.make(this.init.userId() ?? '', 1);
        const groupId = this.init.randomBytes(END_TO_END_DEFAULTS.groupIdRandomBytes);
        this.#enter(room, await RoomGroup.found(room, own!, groupId));
      }
      await this.#reconcile(room, state, 0);
    } catch (error) {
      this.#fail(room, 'set up', error);
    }
  }

  /** Keeps the room's group state after every step that changed it, or forgets it once this device is out of the group. */
  async #persist(room: string): Promise<void> {
    try {
      await this.#kept.keep(room, this.#rooms.get(room)?.group);
    } catch (error) {
      this.#fail(room, 'keep its group state', error);
    }
  }

  async #roomState(room: string): Promise<RoomState> {
    return (await this.init.request(ClientEvent.MLS_ROOM, { room })) as RoomState;
  }

  /** This device is in the room's group: schedule its key refreshes and say who is there. */
  #enter(room: string, group: RoomGroup): void {
    const session = this.#rooms.get(room)!;
    session.group = group;
    if (!session.rotation) {
      session.rotation = setInterval(() => void this.#queue(room, () => this.#rotate(room)), this.init.rotationIntervalMs);
      (session.rotation as { unref?: () => void }).unref?.();
    }
    this.#announce(room);
  }

  #announce(room: string): void {
    void this.#persist(room);
    const group = this.#rooms.get(room)?.group;
    this.init.membersChanged({ room, epoch: group?.epoch ?? 0, members: group?.members ?? [], member: group !== undefined });
  }

  /** Looks at what is to add or remove in the room's group: on `sealed:mls:waiting`, and a member's delayed look (`actNow`). */
  async #lookAt(room: string, actNow: boolean): Promise<void> {
    if (!this.#rooms.get(room)?.group) return;
    try {
      await this.#reconcile(room, await this.#roomState(room), 0, actNow);
    } catch (error) {
      this.#fail(room, 'add or remove devices', error);
    }
  }

  /**
   * Adds the devices waiting and removes the ones leaving. The group's first
   * member does it at once; the others wait their rank's delay and look again,
   * in case it is away.
   */
  async #reconcile(room: string, state: RoomState, attempt: number, actNow = false): Promise<void> {
    const session = this.#rooms.get(room);
    const group = session?.group;
    if (!session || !group) return;
    const me = this.init.device();
    const adds = state.waiting.filter((device) => device.device !== me && group.leafOf(device.device) === undefined);
    const removes = state.leaving.flatMap((device) => {
      const leaf = device.device === me ? undefined : group.leafOf(device.device);
      return leaf === undefined ? [] : [leaf];
    });
    if (adds.length === 0 && removes.length === 0) return;
    const rank = group.members.findIndex((member) => member.device === me);
    if (rank > 0 && !actNow) {
      // Not the group's first member: look again after this rank's delay, and act then if it is still to do.
      const timer = setTimeout(() => {
        session.timers.delete(timer);
        void this.#queue(room, () => this.#lookAt(room, true));
      }, rank * END_TO_END_DEFAULTS.takeoverDelayMs);
      session.timers.add(timer);
      return;
    }
    const keyPackages: KeyPackage[] = [];
    for (const device of adds) {
      const claimed = await this.#claim(room, device.device);
      if (claimed) keyPackages.push(claimed);
    }
    if (keyPackages.length === 0 && removes.length === 0) return;
    await this.#commit(room, await group.commit(keyPackages, removes), attempt);
  }

  async #claim(room: string, device: string): Promise<KeyPackage | undefined> {
    try {
      const { keyPackage } = (await this.init.request(ClientEvent.MLS_CLAIM, { room, device })) as { keyPackage: string };
      return readKeyPackage(keyPackage);
    } catch (error) {
      // Another member took its last KeyPackage, or it is no longer waiting: it is left out.
      if (isRefusal(error, ErrorCode.NO_KEY_PACKAGE)) return undefined;
      throw error;
    }
  }

  /** Sends a commit; applied once accepted. Another commit of the epoch won: catch up and look again. */
  async #commit(room: string, pending: PendingCommit, attempt: number): Promise<void> {
    const group = this.#rooms.get(room)?.group;
    if (!group) return;
    try {
      await this.init.request(ClientEvent.MLS_COMMIT, { room, epoch: group.epoch, commit: pending.commit, ...(pending.welcome ? { welcome: pending.welcome } : {}) });
    } catch (error) {
      if (!isRefusal(error, ErrorCode.EPOCH_CONFLICT) || attempt + 1 >= END_TO_END_DEFAULTS.maxCommitAttempts) throw error;
      const state = await this.#roomState(room);
      if (state.groupId !== group.groupId) {
        // Another device founded the room's group first: this one waits for its Welcome.
        this.#leaveGroup(this.#rooms.get(room)!);
        this.#announce(room);
        return;
      }
      await this.#catchUp(room);
      return this.#reconcile(room, state, attempt + 1, true);
    }
    group.adopt(pending);
    this.#announce(room);
  }

  /** Applies the commits this device missed. */
  async #catchUp(room: string): Promise<void> {
    const group = this.#rooms.get(room)?.group;
    if (!group) return;
    let commits: LoggedCommit[];
    try {
      ({ commits } = (await this.init.request(ClientEvent.MLS_LOG, { room, since: group.epoch })) as { commits: LoggedCommit[] });
    } catch (error) {
      if (!isRefusal(error, ErrorCode.LOG_TRUNCATED)) throw error;
      this.init.report(ClientFailureCode.E2E_STATE_LOST, `The commits of "${room}" since epoch ${group.epoch} are no longer kept: leave and join the room to be added again`);
      return;
    }
    const before = group.epoch;
    for (const entry of commits) if (entry.epoch === group.epoch) await this.#apply(room, group, entry.commit);
    if (group.epoch !== before) this.#announce(room);
  }

  async #apply(room: string, group: RoomGroup, commit: string): Promise<void> {
    await group.process(commit);
    // A commit removed this device: the room's messages are no longer for it.
    if (!group.active) this.#leaveGroup(this.#rooms.get(room)!);
  }

  /** Drops the session's group and the timers that served it. */
  #leaveGroup(session: RoomSession): void {
    session.group = undefined;
    this.#stopTimers(session);
  }

  async #onCommit(room: string, epoch: number, commit: string): Promise<void> {
    const group = this.#rooms.get(room)?.group;
    if (!group || epoch < group.epoch) return;
    try {
      if (epoch > group.epoch) return await this.#catchUp(room);
      await this.#apply(room, group, commit);
      this.#announce(room);
    } catch (error) {
      this.#fail(room, 'process a commit', error);
    }
  }

  async #onWelcome(room: string, epoch: number, welcome: string): Promise<void> {
    const current = this.#rooms.get(room)?.group;
    if (current && current.epoch > epoch) return;
    try {
      const group = await RoomGroup.join(room, welcome, this.init.keyPackages.held);
      if (!group) return this.init.report(ClientFailureCode.E2E_STATE_LOST, `A Welcome to "${room}" was made for keys this device does not hold`);
      this.#enter(room, group);
      await this.#catchUp(room);
    } catch (error) {
      this.#fail(room, 'join from a Welcome', error);
    }
  }

  async #onMessage(room: string, event: string, message: string, claimed: RoomDevice): Promise<void> {
    const group = this.#rooms.get(room)?.group;
    // Sent before this device was added: it cannot be read here, by design.
    if (!group) return;
    try {
      // Decoded once, for its epoch and to decrypt.
      const decoded = decodeMessage(message);
      const epoch = messageEpoch(decoded);
      if (epoch !== undefined && epoch < group.epoch) return;
      if (epoch !== undefined && epoch > group.epoch) await this.#catchUp(room);
      // Catching up may have taken this device out of the group.
      const current = this.#rooms.get(room)?.group;
      if (!current) return;
      const opened = await current.decrypt(event, decoded);
      if (opened.sender.device !== claimed?.device || opened.sender.userId !== claimed.userId) {
        throw new GroupMessageError('The member that signed the message is not the one the server named');
      }
      await this.#persist(room);
      this.init.deliver({ room, event, sender: opened.sender, data: opened.data });
    } catch (error) {
      if (error instanceof GroupMessageError) this.init.report(ClientFailureCode.E2E_UNREADABLE, `A message of "${room}" was dropped: ${error.message}`);
      else this.#fail(room, 'read a message', error);
    }
  }

  /** Refreshes this device's keys with an empty commit. */
  async #rotate(room: string): Promise<void> {
    const group = this.#rooms.get(room)?.group;
    if (!group) return;
    try {
      await this.#commit(room, await group.commit([], []), END_TO_END_DEFAULTS.maxCommitAttempts - 1);
    } catch (error) {
      this.#fail(room, 'refresh its keys', error);
    }
  }

  #stopTimers(session: RoomSession): void {
    for (const timer of session.timers) clearTimeout(timer);
    session.timers.clear();
    if (session.rotation) clearInterval(session.rotation);
    session.rotation = undefined;
  }

  #fail(room: string, step: string, error: unknown): void {
    // A connection that went takes its requests with it: the rejoin sets the room up again.
    if (SealedError.is(error) && (error.code === ClientFailureCode.NOT_OPEN || error.code === ClientFailureCode.DISCONNECTED)) return;
    this.init.report(ClientFailureCode.E2E_FAILED, `Could not ${step} in "${room}": ${error instanceof Error ? error.message : String(error)}`);
  }
}
