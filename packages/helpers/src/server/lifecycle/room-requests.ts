import { ErrorCode } from '../../protocol/error-codes.ts';
import { ServerEvent } from '../../protocol/event-names.ts';
import { readRoomsPayload } from '../../protocol/frame-codec.ts';
import { readSincePositions, type StreamPosition } from '../../protocol/room-position.ts';
import type { RoomHistory } from '../history/room-history.ts';
import type { PresenceMember } from '../presence/presence-store.ts';
import type { RoomPresence } from '../presence/room-presence.ts';
import type { DeliveryService } from '../e2e/delivery-service.ts';
import { ConnectionState } from '../registry/connection-state.ts';
import { checkRoomName, type RoomNameRules } from '../registry/room-name-rules.ts';
import type { Logger } from '../../logging/logger.ts';
import type { ClientAnswers } from './client-answers.ts';
import type { RoomRegistry } from '../registry/room-registry.ts';
import type { ValidateRoomFn } from '../server-hooks.ts';
import type { ServerMetrics } from '../server-metrics.ts';
import type { WebSocketClient } from '../registry/websocket-client.ts';

/** One room a `join` could not grant, and why. */
export interface DeniedRoom {
  room: string;
  code: ErrorCode;
  message: string;
}

const ROOMS_PAYLOAD_MESSAGE = 'Expected { "rooms": string[] }';

/** What {@link RoomRequests} needs. */
export interface RoomRequestsInit {
  rooms: RoomRegistry;
  rules: RoomNameRules;
  maxRoomsPerClient: number;
  validateRoomFn: ValidateRoomFn | undefined;
  /** Rooms' histories: positions for the joined rooms that keep one, and what a client missed. */
  history: RoomHistory;
  /** Members of the rooms that track presence: who joins and leaves is announced. */
  presence: RoomPresence;
  /** End-to-end rooms: a device that joins one waits to be added to its group, one that leaves is to be removed. */
  deliveryService: DeliveryService;
  metrics: ServerMetrics;
  logger: Logger;
  answers: ClientAnswers;
}

/**
 * Answers a client's `join` and `leave`. Every `join` is answered with
 * `joined` `{ rooms, denied, current }` and every `leave` with `left`
 * `{ rooms, current }`, so the client always knows which rooms it is in.
 */
export class RoomRequests {
  constructor(private readonly init: RoomRequestsInit) {}

  get rules(): RoomNameRules {
    return this.init.rules;
  }

  async join(client: WebSocketClient, data: unknown): Promise<void> {
    const requested = this.#readRooms(client, data);
    if (!requested) return;

    const denied: DeniedRoom[] = [];
    const candidates: string[] = [];
    for (const room of requested) {
      const problem = checkRoomName(room, this.init.rules);
      if (problem) denied.push({ room, ...problem });
      else if (!client.inRoom(room)) candidates.push(room);
    }

    const allowed = await this.#validate(client, candidates);
    if (client.state !== ConnectionState.OPEN) return;
    const joinedNow: string[] = [];

    for (const room of candidates) {
      if (!allowed.has(room)) {
        denied.push({ room, code: ErrorCode.ROOM_DENIED, message: 'Not allowed to join this room' });
      } else if (!this.init.deliveryService.mayJoin(client, room)) {
        denied.push({ room, code: ErrorCode.DEVICE_KEY_REQUIRED, message: 'An end-to-end room needs a device key proved in the handshake' });
      } else if (client.roomCount >= this.init.maxRoomsPerClient) {
        denied.push({ room, code: ErrorCode.ROOM_LIMIT, message: 'Too many rooms for one connection' });
      } else {
        this.init.rooms.join(client, room);
        joinedNow.push(room);
      }
    }
    const recovery = await this.#recover(client, joinedNow, readSincePositions((data as { since?: unknown }).since));
    if (client.state !== ConnectionState.OPEN) return;
    const members = await this.init.presence.joined(memberOf(client), joinedNow);
    if (client.state !== ConnectionState.OPEN) return;
    await this.init.deliveryService.joined(client, joinedNow);
    if (client.state !== ConnectionState.OPEN) return;
    const rooms = requested.filter((room) => client.inRoom(room));
    const endToEnd = rooms.filter((room) => this.init.deliveryService.isEndToEnd(room));
    this.init.answers.control(client, ServerEvent.JOINED, {
      rooms,
      denied,
      current: client.roomList(),
      ...recovery,
      ...(members ? { members } : {}),
      ...(endToEnd.length > 0 ? { endToEnd } : {}),
    });
  }

  /**
   * For each room just joined that keeps history: replays to the client what
   * it missed after the position it names in `since` (already a member, so
   * nothing sent meanwhile is lost; a message both replayed and sent live
   * has one offset, and the client keeps one), and reports where the
   * stream stands. `recovered` says, per room named in `since`, whether
   * every message after that position was replayed.
   */
  async #recover(
    client: WebSocketClient,
    joinedNow: readonly string[],
    since: ReadonlyMap<string, StreamPosition>,
  ): Promise<{ positions?: Record<string, StreamPosition>; recovered?: Record<string, boolean> }> {
    const { history } = this.init;
    const positions: Record<string, StreamPosition> = {};
    const recovered: Record<string, boolean> = {};
    for (const room of joinedNow) {
      if (!history.keeps(room)) continue;
      const from = since.get(room);
      if (!from) {
        const top = await history.top(room);
        if (top) positions[room] = top;
        continue;
      }
      const found = await history.since(room, from);
      if (client.state !== ConnectionState.OPEN) return {};
      if (!found) {
        recovered[room] = false;
        continue;
      }
      for (const entry of found.entries) {
        this.init.answers.replay(client, { event: entry.event, data: entry.data, position: { room, offset: entry.offset, epoch: found.top.epoch } });
      }
      recovered[room] = found.complete;
      positions[room] = found.top;
    }
    const answer: { positions?: Record<string, StreamPosition>; recovered?: Record<string, boolean> } = {};
    if (Object.keys(positions).length > 0) answer.positions = positions;
    if (Object.keys(recovered).length > 0) answer.recovered = recovered;
    return answer;
  }

  async leave(client: WebSocketClient, data: unknown): Promise<void> {
    const requested = this.#readRooms(client, data);
    if (!requested) return;
    const rooms = requested.filter((room) => this.init.rooms.leave(client, room));
    this.init.answers.control(client, ServerEvent.LEFT, { rooms, current: client.roomList() });
    await this.init.presence.left(memberOf(client), rooms);
    await this.init.deliveryService.left(client, rooms);
  }

  /** Reads and de-duplicates the requested rooms; answers INVALID_PAYLOAD when the shape is wrong or they are more than `maxRoomsPerClient`. */
  #readRooms(client: WebSocketClient, data: unknown): string[] | undefined {
    const rooms = readRoomsPayload(data);
    if (!rooms) {
      this.init.metrics.framesRejected += 1;
      this.init.answers.error(client, ErrorCode.INVALID_PAYLOAD, ROOMS_PAYLOAD_MESSAGE);
      return undefined;
    }
    // More than a client may be in can never be granted; refused whole, so one answer stays small.
    if (rooms.length > this.init.maxRoomsPerClient) {
      this.init.metrics.framesRejected += 1;
      this.init.answers.error(client, ErrorCode.INVALID_PAYLOAD, `At most ${this.init.maxRoomsPerClient} rooms per request`);
      return undefined;
    }
    return [...new Set(rooms)];
  }

  async #validate(client: WebSocketClient, candidates: string[]): Promise<ReadonlySet<string>> {
    const { validateRoomFn } = this.init;
    if (!validateRoomFn || candidates.length === 0 || client.userId === undefined) return EMPTY;
    try {
      const allowed = await validateRoomFn({ clientId: client.id, userId: client.userId, rooms: [...candidates] });
      return new Set(Array.isArray(allowed) ? allowed : []);
    } catch (error) {
      this.init.metrics.handlerErrors += 1;
      this.init.logger.error({ clientId: client.id, err: error }, 'validateRoomFn threw; denying the rooms');
      return EMPTY;
    }
  }
}

const EMPTY: ReadonlySet<string> = new Set();

/** The client as a member of a room's presence. */
export function memberOf(client: WebSocketClient): PresenceMember {
  return { clientId: client.id, userId: client.userId ?? '' };
}
