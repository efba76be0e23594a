import type { Server } from 'node:http';
import type { Logger } from '@sealed/helpers';
import type { BaseApplication } from './application/base-application.ts';
import { bindingKey } from './binding-key.ts';

/** Keys every application binds for its components. */
export const CoreBindingKeys = {
  /** The running application itself. */
  APPLICATION_INSTANCE: bindingKey<BaseApplication>('sealed.core.application'),
  /** The application's HTTP server; components attach to it (WebSocket upgrades, routes). */
  HTTP_SERVER: bindingKey<Server>('sealed.core.httpServer'),
  /** The application's root pino logger; components log through children of it. */
  LOGGER: bindingKey<Logger>('sealed.core.logger'),
} as const;
