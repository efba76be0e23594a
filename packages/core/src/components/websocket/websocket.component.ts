import { inject, injectable } from 'inversify';
import { WebSocketServerHelper } from '@sealed/helpers';
import type { BaseApplication } from '../../application/base-application.ts';
import { BaseComponent } from '../../application/base-component.ts';
import { MissingBindingError } from '../../application/missing-binding-error.ts';
import { CoreBindingKeys } from '../../core-binding-keys.ts';
import { WebSocketBindingKeys } from './websocket-binding-keys.ts';

/**
 * Assembles a `WebSocketServerHelper` from what the application bound: the
 * options under `SERVER_OPTIONS`, the handlers under their keys, the
 * application's HTTP server and logger. Binds the live server to
 * `WEBSOCKET_INSTANCE` when started; shuts it down when stopped.
 */
@injectable()
export class WebSocketComponent extends BaseComponent {
  #helper: WebSocketServerHelper | undefined;

  constructor(@inject(CoreBindingKeys.APPLICATION_INSTANCE) private readonly application: BaseApplication) {
    super();
  }

  /** @throws MissingBindingError when `AUTHENTICATE_HANDLER` is not bound. */
  override start(): void {
    const app = this.application;
    const authenticateFn = app.resolveOptional(WebSocketBindingKeys.AUTHENTICATE_HANDLER);
    if (!authenticateFn) {
      throw new MissingBindingError(
        WebSocketBindingKeys.AUTHENTICATE_HANDLER,
        'WebSocketComponent',
        'bind a function that checks the "authenticate" payload and returns { userId } or null',
      );
    }
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
    });
    app.bindValue(WebSocketBindingKeys.WEBSOCKET_INSTANCE, this.#helper);
  }

  override async stop(): Promise<void> {
    const helper = this.#helper;
    this.#helper = undefined;
    this.application.unbindValue(WebSocketBindingKeys.WEBSOCKET_INSTANCE);
    await helper?.shutdown();
  }
}
