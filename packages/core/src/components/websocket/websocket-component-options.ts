import type { WebSocketServerSettings } from '@sealed/helpers';

/**
 * The server options an application sets through `SERVER_OPTIONS`: every
 * plain option of the helper. The HTTP server, the logger, the bus and the
 * handlers come from their own bindings.
 */
export type WebSocketComponentOptions = WebSocketServerSettings;
