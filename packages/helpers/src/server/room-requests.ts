import { ErrorCode } from '../protocol/error-codes.ts';
import { ServerEvent } from '../protocol/event-names.ts';
import { readRoomsPayload } from '../protocol/frame-codec.ts';
import { ConnectionState } from './connection-state.ts';
import { RESERVED_ROOM_PREFIX, checkRoomName, type RoomNameRules } from './room-name-rules.ts';
import type { ServerContext } from './server-context.ts';
import type { WebSocketClient } from './websocket-client.ts';

/** One room a `join` could not grant, and why. */
export interface DeniedRoom {
  room: string;
  code: ErrorCode;
  message: string;
}

const ROOMS_PAYLOAD_MESSAGE = 'Expected { "rooms": string[] }';

/**
 * Answers a client's `join` and `leave`. Every `join` is answered with
 * `joined` `{ rooms, denied, current }` and every `leave` with `left`
 * `{ rooms, current }`, so the client always knows which rooms it is in.
 */
export class RoomRequests {
  readonly #rules: RoomNameRules;

  constructor(private readonly context: ServerContext) {
    this.#rules = {
      maxLength: context.options.maxRoomNameLength,
      pattern: context.options.roomNamePattern,
      reservedPrefix: RESERVED_ROOM_PREFIX,
    };
  }

  get rules(): RoomNameRules {
    return this.#rules;
  }

  async join(client: WebSocketClient, data: unknown): Promise<void> {
    const requested = this.#readRooms(client, data);
    if (!requested) return;

    const denied: DeniedRoom[] = [];
    const candidates: string[] = [];
    for (const room of requested) {
      const problem = checkRoomName(room, this.#rules);
      if (problem) denied.push({ room, ...problem });
      else if (!client.rooms.has(room)) candidates.push(room);
    }

    const allowed = await this.#validate(client, candidates);
    if (client.state !== ConnectionState.OPEN) return;

    for (const room of candidates) {
      if (!allowed.has(room)) {
        denied.push({ room, code: ErrorCode.ROOM_DENIED, message: 'Not allowed to join this room' });
      } else if (client.rooms.size >= this.context.options.maxRoomsPerClient) {
        denied.push({ room, code: ErrorCode.ROOM_LIMIT, message: 'Too many rooms for one connection' });
      } else {
        this.context.rooms.join(client, room);
      }
    }
    const rooms = requested.filter((room) => client.rooms.has(room));
    this.context.sendControl(client, ServerEvent.JOINED, { rooms, denied, current: [...client.rooms] });
  }

  leave(client: WebSocketClient, data: unknown): void {
    const requested = this.#readRooms(client, data);
    if (!requested) return;
    const rooms = requested.filter((room) => this.context.rooms.leave(client, room));
    this.context.sendControl(client, ServerEvent.LEFT, { rooms, current: [...client.rooms] });
  }

  /** Reads and de-duplicates the requested rooms; answers INVALID_PAYLOAD when the shape is wrong. */
  #readRooms(client: WebSocketClient, data: unknown): string[] | undefined {
    const rooms = readRoomsPayload(data);
    if (!rooms) {
      this.context.metrics.framesRejected += 1;
      this.context.sendError(client, ErrorCode.INVALID_PAYLOAD, ROOMS_PAYLOAD_MESSAGE);
      return undefined;
    }
    return [...new Set(rooms)];
  }

  async #validate(client: WebSocketClient, candidates: string[]): Promise<ReadonlySet<string>> {
    const validateRoomFn = this.context.options.validateRoomFn;
    if (!validateRoomFn || candidates.length === 0 || client.userId === undefined) return EMPTY;
    try {
      const allowed = await validateRoomFn({ clientId: client.id, userId: client.userId, rooms: [...candidates] });
      return new Set(Array.isArray(allowed) ? allowed : []);
    } catch (error) {
      this.context.metrics.handlerErrors += 1;
      this.context.logger.error({ clientId: client.id, err: error }, 'validateRoomFn threw; denying the rooms');
      return EMPTY;
    }
  }
}

const EMPTY: ReadonlySet<string> = new Set();
