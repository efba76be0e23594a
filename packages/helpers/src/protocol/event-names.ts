import { SealedError } from './sealed-error.ts';
import { UsageErrorCode } from './usage-error-codes.ts';

/**
 * Event names of the Sealed protocol. Application events may use any other
 * name that passes the event-name rules; these are never handed to
 * `messageHandler`.
 */

/** Events a client sends to the server. */
export const ClientEvent = {
  /** Carries the credentials (any JSON value) handed to `authenticateFn`. */
  AUTHENTICATE: 'authenticate',
  /** `{ rooms: string[] }`: asks to join rooms; answered with `joined`. */
  JOIN: 'join',
  /** `{ rooms: string[] }`: asks to leave rooms; answered with `left`. */
  LEAVE: 'leave',
  /** Keeps the connection alive; any frame does, this one carries nothing else. */
  HEARTBEAT: 'heartbeat',
  /** `{ box }`: the client's answer to `sealed:handshake` (message 3 of the handshake). */
  HANDSHAKE_FINISH: 'sealed:finish',
  /** `{ result }` or `{ error: { code, message } }`, with the `ack` of the server's request it answers. */
  REPLY: 'sealed:reply',
  /** `{ room }`, a request (with `ack`): the members of a room that tracks presence, answered with `{ result: { room, members } }`. */
  MEMBERS: 'sealed:members',
  /** `{ keyPackages, lastResort? }`, a request: KeyPackages of the sending device for end-to-end rooms, answered with `{ result: { held } }`. */
  MLS_PUBLISH: 'sealed:mls:publish',
  /** `{ room }`, a request: the state of an end-to-end room's group (epoch, members, waiting and leaving devices, the device's Welcome). */
  MLS_ROOM: 'sealed:mls:room',
  /** `{ room, device }`, a request: one KeyPackage of a device waiting to be added, answered with `{ result: { keyPackage } }`. */
  MLS_CLAIM: 'sealed:mls:claim',
  /** `{ room, epoch, commit, welcome? }`, a request: a commit for the group's current epoch, answered with `{ result: { epoch } }` or `EPOCH_CONFLICT`. */
  MLS_COMMIT: 'sealed:mls:commit',
  /** `{ room, since }`, a request: the commits accepted from epoch `since` on, answered with `{ result: { commits, epoch } }`. */
  MLS_LOG: 'sealed:mls:log',
  /** `{ room, event, message }`, a request: an MLS application message for the room's other members, answered with `{ result: {} }`. */
  MLS_SEND: 'sealed:mls:send',
} as const;

export type ClientEvent = (typeof ClientEvent)[keyof typeof ClientEvent];

/** The end-to-end rooms' requests, which the Delivery Service answers. */
export const END_TO_END_REQUEST_EVENTS = [
  ClientEvent.MLS_PUBLISH,
  ClientEvent.MLS_ROOM,
  ClientEvent.MLS_CLAIM,
  ClientEvent.MLS_COMMIT,
  ClientEvent.MLS_LOG,
  ClientEvent.MLS_SEND,
] as const;

export type EndToEndRequestEvent = (typeof END_TO_END_REQUEST_EVENTS)[number];

const endToEndRequests: ReadonlySet<string> = new Set(END_TO_END_REQUEST_EVENTS);

/** Whether `event` is one of the end-to-end rooms' requests. */
export function isEndToEndRequest(event: string): event is EndToEndRequestEvent {
  return endToEndRequests.has(event);
}

/** The client events that are requests: each carries `ack` and is answered with `sealed:reply`. */
export const CLIENT_REQUEST_EVENTS: ReadonlySet<string> = new Set([ClientEvent.MEMBERS, ...END_TO_END_REQUEST_EVENTS]);

/** Events the server sends to a client. */
export const ServerEvent = {
  /** `{ id, userId, time }`: authentication succeeded; the client is open. */
  CONNECTED: 'connected',
  /** `{ rooms, denied, current }`: the answer to `join`. */
  JOINED: 'joined',
  /** `{ rooms, current }`: the answer to `leave`. */
  LEFT: 'left',
  /** `{ code, message }`: something the client sent was refused. */
  ERROR: 'error',
  /** The server's hello (message 2 of the handshake), before authentication. */
  HANDSHAKE: 'sealed:handshake',
  /** `{ ticket, lifetimeMs }`: a resumption ticket for the client's next connection (a protected frame). */
  TICKET: 'sealed:ticket',
  /** `{ result }` or `{ error: { code, message } }`, with the `ack` of the client's request it answers. */
  REPLY: 'sealed:reply',
  /** `{ room, joined, left }`: members came to or went from a room that tracks presence. */
  PRESENCE: 'sealed:presence',
  /** `{ room, epoch, commit, added }`: a commit the server accepted for an end-to-end room (to its members but the committer). */
  MLS_COMMIT: 'sealed:mls:commit',
  /** `{ room, epoch, welcome }`: the Welcome of a commit that added this device to an end-to-end room. */
  MLS_WELCOME: 'sealed:mls:welcome',
  /** `{ room, event, sender, message }`: an MLS application message of another member of an end-to-end room. */
  MLS_MESSAGE: 'sealed:mls:message',
  /** `{ room, joined, left }`: devices admitted to an end-to-end room (to add) or no longer (to remove). */
  MLS_WAITING: 'sealed:mls:waiting',
} as const;

export type ServerEvent = (typeof ServerEvent)[keyof typeof ServerEvent];

/** Names kept for the protocol's own future events; neither side may use them for application events. */
export const RESERVED_EVENT_PREFIX = 'sealed:';

/** Event names the encrypted protocol uses; reserved now so applications never depend on them. */
export const ReservedEvent = {
  /** An encrypted envelope (Ignis-compatible name). */
  ENCRYPTED: 'encrypted',
} as const;

const reservedEventNames: ReadonlySet<string> = new Set<string>([
  ...Object.values(ClientEvent),
  ...Object.values(ServerEvent),
  ...Object.values(ReservedEvent),
]);

/**
 * Refuses an application send of an event name that belongs to the protocol:
 * a client would take it for the server's own `connected`, `joined` or
 * `error`.
 *
 * @throws SealedError `RESERVED_EVENT_NAME`.
 */
export function refuseReservedEventName(event: string): void {
  if (isReservedEventName(event)) throw new SealedError(UsageErrorCode.RESERVED_EVENT_NAME, `Event "${event}" is reserved for the protocol`);
}

/**
 * Whether an event name belongs to the protocol, so it may never reach
 * `messageHandler` nor be sent by the application as its own event.
 */
export function isReservedEventName(event: string): boolean {
  return reservedEventNames.has(event) || event.startsWith(RESERVED_EVENT_PREFIX);
}
