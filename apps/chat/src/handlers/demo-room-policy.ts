import type { ValidateRoomFn } from '@sealed/helpers';
import { CHAT_ROOM_PATTERN } from '../chat-protocol.ts';

/** Demo room policy: any lower-case room name of up to 64 characters may be joined by anyone. */
export const demoRoomPolicy: ValidateRoomFn = ({ rooms }) => rooms.filter((room) => CHAT_ROOM_PATTERN.test(room));
