import { SealedError, type MessageHandler, type WebSocketServerHelper } from '@sealed/helpers';
import { ChatErrorCode, ChatEvent, MAX_CHAT_TEXT_LENGTH } from '../chat-protocol.ts';

interface ChatRequest {
  room: string;
  text: string;
}

function readChatRequest(data: unknown): ChatRequest | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { room, text } = data as Record<string, unknown>;
  if (typeof room !== 'string' || typeof text !== 'string') return undefined;
  if (text.length === 0 || text.length > MAX_CHAT_TEXT_LENGTH) return undefined;
  return { room, text };
}

function requireMember(helper: WebSocketServerHelper, clientId: string, room: string): void {
  if (!helper.getClient({ clientId })?.rooms.has(room)) {
    throw new SealedError(ChatErrorCode.NOT_IN_ROOM, 'Join the room before writing to it');
  }
}

/**
 * The chat's message handler: relays `chat` from a member of a room to every
 * member of that room, sender included, stamped with the sender and the time.
 * Who is in a room comes from the server's presence, not from the chat.
 *
 * @param server resolves the live server; it exists only once the application has started.
 */
export function createChatMessageHandler(server: () => WebSocketServerHelper): MessageHandler {
  return async ({ clientId, userId, event, data }) => {
    if (event !== ChatEvent.CHAT) {
      throw new SealedError(ChatErrorCode.UNKNOWN_EVENT, `The chat does not know the event "${event}"`);
    }
    const request = readChatRequest(data);
    if (!request) {
      throw new SealedError(
        ChatErrorCode.INVALID_CHAT,
        `Expected { room: string, text: string of 1-${MAX_CHAT_TEXT_LENGTH} characters }`,
      );
    }
    const helper = server();
    requireMember(helper, clientId, request.room);
    await helper.sendToRoom({
      room: request.room,
      event: ChatEvent.CHAT,
      data: { room: request.room, from: userId, text: request.text, time: Date.now() },
    });
  };
}
