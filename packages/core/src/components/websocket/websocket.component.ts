import { inject, injectable } from 'inversify';
import { WebSocketServerHelper, type MessageBus } from '@sealed/helpers';
import type { BaseApplication } from '../../application/base-application.ts';
import { BaseComponent } from '../../application/base-component.ts';
import { MissingBindingError } from '../../application/missing-binding-error.ts';
import { CoreBindingKeys } from '../../core-binding-keys.ts';
import { WebSocketBindingKeys } from './websocket-binding-keys.ts';

/**
 * Assembles a `WebSocketServerHelper` from what the application bound: the
 * options under `SERVER_OPTIONS`, the handlers under their keys, the bus
 * under `MESSAGE_BUS`, the application's HTTP server and logger. Starts the
 * bus, binds the live server to `WEBSOCKET_INSTANCE`; when stopped, shuts
 * the server down, then closes the bus.
 */
@injectable()
export class WebSocketComponent extends BaseComponent {
  #helper: WebSocketServerHelper | undefined;
  #bus: MessageBus | undefined;

  constructor(@inject(CoreBindingKeys.APPLICATION_INSTANCE) private readonly application: BaseApplication) {
    super();
  }

  /**
   * @throws MissingBindingError when `AUTHENTICATE_HANDLER` is not bound;
   * rethrows what the server's constructor throws (invalid options), after closing the bus it started.
   */
  override async start(): Promise<void> {
    const app = this.application;
    const authenticateFn = app.resolveOptional(WebSocketBindingKeys.AUTHENTICATE_HANDLER);
    if (!authenticateFn) {
      throw new MissingBindingError(
        WebSocketBindingKeys.AUTHENTICATE_HANDLER,
        'WebSocketComponent',
        'bind a function that checks the "authenticate" payload and returns { userId } or null',
      );
    }
    const bus = app.resolveOptional(WebSocketBindingKeys.MESSAGE_BUS);
    if (bus) await bus.start();
    try {
      this.#helper = new WebSocketServerHelper({
        ...app.resolveOptional(WebSocketBindingKeys.SERVER_OPTIONS),
        server: app.resolve(CoreBindingKeys.HTTP_SERVER),
        logger: app.resolve(CoreBindingKeys.LOGGER),
        authenticateFn,
        validateRoomFn: app.resolveOptional(WebSocketBindingKeys.VALIDATE_ROOM_HANDLER),
        clientConnectedFn: app.resolveOptional(WebSocketBindingKeys.CLIENT_CONNECTED_HANDLER),
        clientDisconnectedFn: app.resolveOptional(WebSocketBindingKeys.CLIENT_DISCONNECTED_HANDLER),
        messageHandler: app.resolveOptional(WebSocketBindingKeys.MESSAGE_HANDLER),
        handshakeFn: app.resolveOptional(WebSocketBindingKeys.HANDSHAKE_HANDLER),
        outboundTransformer: app.resolveOptional(WebSocketBindingKeys.OUTBOUND_TRANSFORMER),
        inboundTransformer: app.resolveOptional(WebSocketBindingKeys.INBOUND_TRANSFORMER),
        roomHistoryFn: app.resolveOptional(WebSocketBindingKeys.ROOM_HISTORY_HANDLER),
        historyStore: app.resolveOptional(WebSocketBindingKeys.HISTORY_STORE),
        roomPresenceFn: app.resolveOptional(WebSocketBindingKeys.ROOM_PRESENCE_HANDLER),
        presenceStore: app.resolveOptional(WebSocketBindingKeys.PRESENCE_STORE),
        endToEndRoomFn: app.resolveOptional(WebSocketBindingKeys.END_TO_END_ROOM_HANDLER),
        deliveryServiceStore: app.resolveOptional(WebSocketBindingKeys.DELIVERY_SERVICE_STORE),
        bus,
      });
    } catch (error) {
      // The application stops only components whose start succeeded: this one releases what it started.
      await bus?.close();
      throw error;
    }
    this.#bus = bus;
    app.bindValue(WebSocketBindingKeys.WEBSOCKET_INSTANCE, this.#helper);
  }

  override async stop(): Promise<void> {
    const helper = this.#helper;
    const bus = this.#bus;
    this.#helper = undefined;
    this.#bus = undefined;
    this.application.unbindValue(WebSocketBindingKeys.WEBSOCKET_INSTANCE);
    await helper?.shutdown();
    await bus?.close();
  }
}
