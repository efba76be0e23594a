import type { WebSocketServerOptions } from '@sealed/helpers';

/**
 * The server options an application sets through `SERVER_OPTIONS`: every
 * plain option of the helper. The HTTP server, the logger and the handlers
 * come from their own bindings.
 */
export type WebSocketComponentOptions = Partial<
  Omit<
    WebSocketServerOptions,
    | 'server'
    | 'logger'
    | 'authenticateFn'
    | 'validateRoomFn'
    | 'clientConnectedFn'
    | 'clientDisconnectedFn'
    | 'messageHandler'
    | 'handshakeFn'
    | 'outboundTransformer'
    | 'inboundTransformer'
    | 'bus'
  >
>;
