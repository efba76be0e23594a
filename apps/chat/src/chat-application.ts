import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { BaseApplication, WebSocketBindingKeys, WebSocketComponent, type ApplicationOptions } from '@sealed/core';
import { createChatMessageHandler } from './handlers/chat-message-handler.ts';
import { demoAuthenticate } from './handlers/demo-authenticate.ts';
import { demoRoomPolicy } from './handlers/demo-room-policy.ts';
import { StaticSite } from './http/static-site.ts';

const PUBLIC_DIRECTORY = fileURLToPath(new URL('../public/', import.meta.url));

/**
 * The sample chat: binds the demo handlers into the container, registers
 * `WebSocketComponent`, and serves the page.
 */
export class ChatApplication extends BaseApplication {
  readonly #site = new StaticSite(PUBLIC_DIRECTORY);

  constructor(options: ApplicationOptions = {}) {
    super(options);
  }

  protected configure(): void {
    this.bindValue(WebSocketBindingKeys.SERVER_OPTIONS, { identifier: 'sealed-chat' });
    this.bindValue(WebSocketBindingKeys.AUTHENTICATE_HANDLER, demoAuthenticate);
    this.bindValue(WebSocketBindingKeys.VALIDATE_ROOM_HANDLER, demoRoomPolicy);
    this.bindValue(
      WebSocketBindingKeys.MESSAGE_HANDLER,
      createChatMessageHandler(() => this.resolve(WebSocketBindingKeys.WEBSOCKET_INSTANCE)),
    );
    this.component(WebSocketComponent);
  }

  protected override handleRequest(request: IncomingMessage, response: ServerResponse): void {
    this.#site.handle(request, response);
  }
}
