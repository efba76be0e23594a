/** Events of the sample chat, on top of the Sealed protocol. */
export const ChatEvent = {
  /** Client: `{ room, text }`. Server: `{ room, from, text, time }` to every member of the room. */
  CHAT: 'chat',
} as const;

/** Error codes the chat answers with, besides the Sealed ones. */
export const ChatErrorCode = {
  /** `chat` payload is not `{ room: string, text: string }` within the limits. */
  INVALID_CHAT: 'INVALID_CHAT',
  /** The sender is not in the room it wrote to. */
  NOT_IN_ROOM: 'NOT_IN_ROOM',
  /** The event is not one the chat knows. */
  UNKNOWN_EVENT: 'UNKNOWN_EVENT',
} as const;

/** Longest chat message, in UTF-16 code units. */
export const MAX_CHAT_TEXT_LENGTH = 2_000;

/** Demo user names: `{ "token": "<name>" }` authenticates as `<name>`. */
export const USER_NAME_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** Rooms the demo lets anyone join. */
export const CHAT_ROOM_PATTERN = /^[a-z0-9-]{1,64}$/;

/** Rooms whose names start with this are end-to-end: only their members' browsers can read them. */
export const SECRET_ROOM_PREFIX = 'secret-';

/** Whether a room is end-to-end (an MLS group the server relays without reading). */
export function isSecretRoom(room: string): boolean {
  return room.startsWith(SECRET_ROOM_PREFIX);
}
