import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/error-codes.ts';
import { checkRoomName, type RoomNameRules } from './room-name-rules.ts';

const rules: RoomNameRules = { maxLength: 8, pattern: /^[a-z0-9-]+$/, reservedPrefix: 'sealed:' };

describe('checkRoomName', () => {
  it('accepts a name that follows the rules', () => {
    expect(checkRoomName('lobby-1', rules)).toBeUndefined();
  });

  it.each([
    ['an empty name', ''],
    ['a name over the length limit', 'abcdefghi'],
    ['a name with the reserved prefix', 'sealed:x'],
    ['a name with a character outside the pattern', 'Lobby'],
  ])('rejects %s', (_name, room) => {
    expect(checkRoomName(room, rules)?.code).toBe(ErrorCode.INVALID_ROOM_NAME);
  });
});
