import { ErrorCode } from '../../protocol/error-codes.ts';

/** Room names with this prefix belong to the server; clients can never join them. */
export const RESERVED_ROOM_PREFIX = 'sealed:';

/** The rules every room name must pass before it can be joined. */
export interface RoomNameRules {
  maxLength: number;
  pattern: RegExp;
  /** Names starting with it belong to the server; clients can never join them. */
  reservedPrefix: string;
}

/**
 * Checks one room name.
 *
 * @returns `undefined` when the name passes, otherwise the reason it fails.
 */
export function checkRoomName(room: string, rules: RoomNameRules): { code: ErrorCode; message: string } | undefined {
  if (room.length === 0 || room.length > rules.maxLength) {
    return { code: ErrorCode.INVALID_ROOM_NAME, message: `Room names are 1-${rules.maxLength} characters` };
  }
  if (room.startsWith(rules.reservedPrefix)) {
    return { code: ErrorCode.INVALID_ROOM_NAME, message: `Room names may not start with "${rules.reservedPrefix}"` };
  }
  if (!rules.pattern.test(room)) {
    return { code: ErrorCode.INVALID_ROOM_NAME, message: 'Room name has characters that are not allowed' };
  }
  return undefined;
}
