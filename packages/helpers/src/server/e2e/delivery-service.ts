import { toBase64 } from '../../crypto/bytes.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import { ClientEvent, ServerEvent, type EndToEndRequestEvent } from '../../protocol/event-names.ts';
import {
  readClaimRequest,
  readCommitRequest,
  readLogRequest,
  readPublishRequest,
  readRoomRequest,
  readSendRequest,
  type LoggedCommit,
  type RoomDevice,
} from '../../protocol/end-to-end.ts';
import { replyWithError, replyWithResult, type ReplyPayload } from '../../protocol/request-reply.ts';
import type { ValueOrPromise } from '../../types/value-or-promise.ts';
import type { DeliveryTarget } from '../delivery/delivery-target.ts';
import type { WebSocketClient } from '../registry/websocket-client.ts';
import type { AdmittedDevice, DeliveryServiceStore, GroupRecord } from './delivery-service-store.ts';
import { applyCommit } from './group-roster.ts';
import { roomPolicySays } from '../registry/room-policy.ts';
import { MlsMessageError, readApplicationMessage, readCommit, readKeyPackage, readWelcome } from './mls-messages.ts';

/** Says whether a room is end-to-end (an MLS group the server relays without reading). Synchronous: keep it a lookup. */
export type EndToEndRoomFn = (context: { room: string }) => boolean;

/** The limits of the Delivery Service. */
export interface DeliveryServiceLimits {
  /** KeyPackages held per device; past it the oldest go. */
  maxKeyPackagesPerDevice: number;
  /** Commits kept per room for members catching up; older ones are dropped. */
  maxGroupLogEntries: number;
  /** Bytes of one MLS message (KeyPackage, commit, Welcome, application message). */
  maxMlsMessageBytes: number;
  maxEventNameLength: number;
}

/** What {@link DeliveryService} needs. */
export interface DeliveryServiceInit {
  store: DeliveryServiceStore;
  endToEndRoomFn: EndToEndRoomFn | undefined;
  limits: DeliveryServiceLimits;
  /** Sends what the server says to a target on every instance (protocol event names allowed). */
  announce: (target: DeliveryTarget, message: { event: string; data: unknown; exclude?: readonly string[] }) => ValueOrPromise<unknown>;
  /** A store operation failed; the request is answered with `HANDLER_FAILED`. */
  onFailure: (operation: string, error: unknown) => void;
}

/**
 * A refusal of a request, answered as the reply's error. Its own class, not
 * a SealedError: any other error (a store's, SealedError or not) is a
 * failure, logged and answered `HANDLER_FAILED` without its message.
 */
class Refusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The server's part in end-to-end rooms, as an MLS Delivery Service (RFC
 * 9420 §16, RFC 9750): it keeps each device's KeyPackages, admits to a
 * room's group only the devices the application let into the room
 * (`validateRoomFn` on `join`), accepts exactly one commit per epoch (the
 * others get `EPOCH_CONFLICT` and retry), hands Welcomes to the devices a
 * commit adds, keeps a log of commits for members catching up, and relays
 * application messages it cannot read to the room's other members.
 *
 * It reads what MLS leaves in the clear (KeyPackages, PublicMessage
 * commits, a PrivateMessage's header) to check it, and holds no group
 * secret: a room's messages are ciphertext to the server.
 */
export class DeliveryService {
  constructor(private readonly init: DeliveryServiceInit) {}

  /** Whether a room is end-to-end; a policy that throws says no. */
  isEndToEnd(room: string): boolean {
    return roomPolicySays(this.init.endToEndRoomFn, room);
  }

  /** Whether the client may join the room: an end-to-end room needs a device key. */
  mayJoin(client: WebSocketClient, room: string): boolean {
    return client.deviceKey !== undefined || !this.isEndToEnd(room);
  }

  /** Admits the client's device to the end-to-end rooms it just joined and tells their members it waits to be added. */
  async joined(client: WebSocketClient, rooms: readonly string[]): Promise<void> {
    const device = deviceOf(client);
    if (!device) return;
    for (const room of rooms.filter((candidate) => this.isEndToEnd(candidate))) {
      try {
        await this.init.store.admit(room, { ...device, clientId: client.id });
      } catch (error) {
        this.init.onFailure('admit', error);
        continue;
      }
      await this.#announceWaiting(room, [device], [], client.id);
    }
  }

  /** Takes the client's device out of the end-to-end rooms it left: their members are told to remove it. */
  async left(client: WebSocketClient, rooms: readonly string[]): Promise<void> {
    const device = deviceOf(client);
    if (!device) return;
    for (const room of rooms.filter((candidate) => this.isEndToEnd(candidate))) {
      try {
        await this.init.store.dismiss(room, device.device);
      } catch (error) {
        this.init.onFailure('dismiss', error);
        continue;
      }
      await this.#announceWaiting(room, [], [device], client.id);
    }
  }

  /** Answers one request of a client. */
  async handle(client: WebSocketClient, event: EndToEndRequestEvent, data: unknown): Promise<ReplyPayload> {
    try {
      return replyWithResult(await this.#handlers[event](client, data));
    } catch (error) {
      if (error instanceof Refusal) return replyWithError(error.code, error.message);
      this.init.onFailure(event, error);
      return replyWithError(ErrorCode.HANDLER_FAILED, 'The Delivery Service could not answer');
    }
  }

  /** Each request's handler: one per end-to-end request event, checked by the type. */
  readonly #handlers: Record<EndToEndRequestEvent, (client: WebSocketClient, data: unknown) => Promise<unknown>> = {
    [ClientEvent.MLS_PUBLISH]: (client, data) => this.#publish(client, data),
    [ClientEvent.MLS_ROOM]: (client, data) => this.#room(client, data),
    [ClientEvent.MLS_CLAIM]: (client, data) => this.#claim(client, data),
    [ClientEvent.MLS_COMMIT]: (client, data) => this.#commit(client, data),
    [ClientEvent.MLS_LOG]: (client, data) => this.#log(client, data),
    [ClientEvent.MLS_SEND]: (client, data) => this.#send(client, data),
  };

  async #publish(client: WebSocketClient, data: unknown): Promise<{ held: number }> {
    const { limits, store } = this.init;
    const device = this.#deviceOrRefuse(client);
    const request = readPublishRequest(data, limits.maxKeyPackagesPerDevice, limits.maxMlsMessageBytes);
    if (!request) throw new Refusal(ErrorCode.INVALID_PAYLOAD, `Expected { keyPackages: string[] (at most ${limits.maxKeyPackagesPerDevice}), lastResort?: string }`);
    for (const bytes of [...request.keyPackages, ...(request.lastResort ? [request.lastResort] : [])]) {
      const binding = await readKeyPackage(bytes).catch((error: unknown) => {
        throw refusalOf(error, ErrorCode.KEY_PACKAGE_REFUSED);
      });
      if (binding.identity !== device.userId || toBase64(binding.signatureKey) !== device.device) {
        throw new Refusal(ErrorCode.KEY_PACKAGE_REFUSED, 'A KeyPackage must name this user and be signed with this device\'s identity key');
      }
    }
    const encoded = request.keyPackages.map(toBase64);
    const held = await store.putKeyPackages(device.device, encoded, request.lastResort && toBase64(request.lastResort), limits.maxKeyPackagesPerDevice);
    await this.#announceStillWaiting(client, device);
    return { held };
  }

  /**
   * Tells the members of each end-to-end room the device is admitted to,
   * and whose group it is not in yet, that it waits: it now has KeyPackages
   * to claim. A member told at the join may have found none (they come
   * after it) and left the device out. A failure here is logged: the
   * KeyPackages are stored, and the publish stands.
   */
  async #announceStillWaiting(client: WebSocketClient, device: RoomDevice): Promise<void> {
    for (const room of client.roomList().filter((candidate) => this.isEndToEnd(candidate))) {
      try {
        if (await this.#isWaiting(room, device.device)) await this.#announceWaiting(room, [device], [], client.id);
      } catch (error) {
        this.init.onFailure('announce', error);
      }
    }
  }

  async #room(client: WebSocketClient, data: unknown): Promise<unknown> {
    const room = this.#roomOrRefuse(client, readRoomRequest(data));
    const device = this.#deviceOrRefuse(client);
    const [group, admitted] = await Promise.all([this.init.store.group(room), this.#admitted(room)]);
    const roster = group?.roster ?? [];
    const inGroup = new Set(roster.flatMap((leaf) => (leaf ? [leaf.device] : [])));
    const answer: Record<string, unknown> = {
      room,
      epoch: group?.epoch ?? 0,
      groupId: group?.groupId ?? null,
      members: roster,
      waiting: [...admitted.values()].filter((candidate) => !inGroup.has(candidate.device)).map(roomDevice),
      leaving: roster.filter((leaf): leaf is RoomDevice => leaf !== null && !admitted.has(leaf.device)),
    };
    if (inGroup.has(device.device)) {
      // The Welcome that added this device, for a device that was away when it came.
      const { entries } = await this.init.store.log(room, 0);
      const welcome = entries.findLast((entry) => entry.welcome !== undefined && entry.added.includes(device.device));
      if (welcome) answer.welcome = { epoch: welcome.epoch, welcome: welcome.welcome };
    }
    return answer;
  }

  async #claim(client: WebSocketClient, data: unknown): Promise<{ keyPackage: string }> {
    const request = readClaimRequest(data);
    const room = this.#roomOrRefuse(client, request?.room);
    this.#deviceOrRefuse(client);
    if (!(await this.#isWaiting(room, request!.device))) throw new Refusal(ErrorCode.NO_KEY_PACKAGE, 'That device is not waiting to join this room');
    const keyPackage = await this.init.store.takeKeyPackage(request!.device);
    if (keyPackage === undefined) throw new Refusal(ErrorCode.NO_KEY_PACKAGE, 'That device has no KeyPackage left');
    return { keyPackage };
  }

  async #commit(client: WebSocketClient, data: unknown): Promise<{ epoch: number }> {
    const { store, limits } = this.init;
    const request = readCommitRequest(data, limits.maxMlsMessageBytes);
    const room = this.#roomOrRefuse(client, request?.room);
    const committer = this.#deviceOrRefuse(client);
    const { epoch, commit, welcome, commitText, welcomeText } = request!;
    let view;
    try {
      view = readCommit(commit);
      if (welcome) readWelcome(welcome);
    } catch (error) {
      throw refusalOf(error, ErrorCode.COMMIT_REFUSED);
    }
    const group = await store.group(room);
    const current = group?.epoch ?? 0;
    // A request whose epoch is not its commit's would conflict forever, whatever the client caught up on.
    if (view.epoch !== epoch) throw new Refusal(ErrorCode.COMMIT_REFUSED, `The commit is of epoch ${view.epoch}, the request names ${epoch}`);
    if (epoch !== current) throw new Refusal(ErrorCode.EPOCH_CONFLICT, `The group is at epoch ${current}`);
    const groupId = toBase64(view.groupId);
    if (group && group.groupId !== groupId) throw new Refusal(ErrorCode.COMMIT_REFUSED, 'The commit is for another group');
    const admitted = await this.#admitted(room);
    const change = applyCommit(group?.roster, view, committer, admitted);
    if (!change.ok) throw new Refusal(ErrorCode.COMMIT_REFUSED, change.reason);
    if ((change.added.length > 0) !== (welcome !== undefined)) throw new Refusal(ErrorCode.COMMIT_REFUSED, 'A commit that adds devices comes with their Welcome, and only such a commit');
    const entry: LoggedCommit = {
      epoch,
      commit: commitText,
      added: change.added.map((added) => added.device),
      ...(welcomeText ? { welcome: welcomeText } : {}),
    };
    const accepted = await store.commit(room, { groupId, epoch: epoch + 1, roster: change.roster }, entry, limits.maxGroupLogEntries);
    if (!accepted) throw new Refusal(ErrorCode.EPOCH_CONFLICT, `Another commit of epoch ${epoch} was accepted first`);
    await this.init.announce({ kind: 'room', room }, { event: ServerEvent.MLS_COMMIT, data: { room, epoch, commit: entry.commit, added: entry.added }, exclude: [client.id] });
    if (welcome) {
      for (const device of change.added) {
        const clientId = admitted.get(device.device)?.clientId;
        if (clientId) await this.init.announce({ kind: 'client', clientId }, { event: ServerEvent.MLS_WELCOME, data: { room, epoch, welcome: entry.welcome } });
      }
    }
    return { epoch: epoch + 1 };
  }

  async #log(client: WebSocketClient, data: unknown): Promise<{ commits: readonly LoggedCommit[]; epoch: number }> {
    const request = readLogRequest(data);
    const room = this.#roomOrRefuse(client, request?.room);
    const [slice, group] = await Promise.all([this.init.store.log(room, request!.since), this.init.store.group(room)]);
    if (!slice.complete) throw new Refusal(ErrorCode.LOG_TRUNCATED, `Commits from epoch ${request!.since} are no longer kept`);
    return { commits: slice.entries, epoch: group?.epoch ?? 0 };
  }

  async #send(client: WebSocketClient, data: unknown): Promise<Record<string, never>> {
    const { limits } = this.init;
    const request = readSendRequest(data, limits.maxEventNameLength, limits.maxMlsMessageBytes);
    const room = this.#roomOrRefuse(client, request?.room);
    const sender = this.#deviceOrRefuse(client);
    let header;
    try {
      header = readApplicationMessage(request!.message);
    } catch (error) {
      throw refusalOf(error, ErrorCode.MLS_MESSAGE_REFUSED);
    }
    const group = await this.init.store.group(room);
    if (!group || group.groupId !== toBase64(header.groupId) || group.epoch !== header.epoch) {
      throw new Refusal(ErrorCode.MLS_MESSAGE_REFUSED, `Not a message of the room's group at its current epoch (${group?.epoch ?? 0})`);
    }
    if (!rosterHolds(group, sender.device)) throw new Refusal(ErrorCode.MLS_MESSAGE_REFUSED, 'This device is not a member of the group');
    const relayed = { room, event: request!.event, sender, message: request!.messageText };
    await this.init.announce({ kind: 'room', room }, { event: ServerEvent.MLS_MESSAGE, data: relayed, exclude: [client.id] });
    return {};
  }

  /** Whether `device` is admitted to the room and not yet in its group. */
  async #isWaiting(room: string, device: string): Promise<boolean> {
    const [group, admitted] = await Promise.all([this.init.store.group(room), this.#admitted(room)]);
    return admitted.has(device) && !rosterHolds(group, device);
  }

  async #admitted(room: string): Promise<Map<string, AdmittedDevice>> {
    return new Map((await this.init.store.admitted(room)).map((device) => [device.device, device]));
  }

  #announceWaiting(room: string, joined: RoomDevice[], left: RoomDevice[], exclude: string): Promise<unknown> {
    return Promise.resolve(this.init.announce({ kind: 'room', room }, { event: ServerEvent.MLS_WAITING, data: { room, joined, left }, exclude: [exclude] }));
  }

  /** The room named, when it is end-to-end and the client is in it. */
  #roomOrRefuse(client: WebSocketClient, room: string | undefined): string {
    if (room === undefined) throw new Refusal(ErrorCode.INVALID_PAYLOAD, 'The request names no room, or is malformed');
    if (!client.inRoom(room) || !this.isEndToEnd(room)) throw new Refusal(ErrorCode.NOT_END_TO_END, 'Not an end-to-end room this client is in');
    return room;
  }

  #deviceOrRefuse(client: WebSocketClient): RoomDevice {
    const device = deviceOf(client);
    if (!device) throw new Refusal(ErrorCode.DEVICE_KEY_REQUIRED, 'End-to-end rooms need a device identity key proved in the handshake');
    return device;
  }
}

function deviceOf(client: WebSocketClient): RoomDevice | undefined {
  return client.deviceKey && client.userId !== undefined ? { userId: client.userId, device: toBase64(client.deviceKey) } : undefined;
}

/** Whether the group's roster has a leaf for `device`. */
function rosterHolds(group: GroupRecord | undefined, device: string): boolean {
  return group?.roster.some((leaf) => leaf?.device === device) ?? false;
}

function roomDevice(device: AdmittedDevice): RoomDevice {
  return { userId: device.userId, device: device.device };
}

/** A message the MLS reader refused as a refusal with `code`; anything else goes on as a failure. */
function refusalOf(error: unknown, code: ErrorCode): Error {
  return error instanceof MlsMessageError ? new Refusal(code, error.message) : (error as Error);
}
