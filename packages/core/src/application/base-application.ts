import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Container, type Newable } from 'inversify';
import { createDefaultLogger, type Logger, type ValueOrPromise } from '@sealed/helpers';
import type { BindingKey } from '../binding-key.ts';
import { CoreBindingKeys } from '../core-binding-keys.ts';
import { ApplicationState, assertApplicationTransition } from './application-state.ts';
import type { BaseComponent } from './base-component.ts';
import { hardenedHttpsOptions, type ApplicationTlsOptions } from './hardened-tls.ts';

/** Where and how an application listens. */
export interface ApplicationOptions {
  /** TCP port; 0 picks a free one. */
  port?: number;
  /** Interface to listen on. */
  host?: string;
  /** Root logger; components log through children of it. */
  logger?: Logger;
  /** Serve `https` and `wss` with this certificate and key, with hardened settings (`HARDENED_TLS`). Unset: plain `http` and `ws`. */
  tls?: ApplicationTlsOptions;
}

/** Defaults of {@link ApplicationOptions}. */
export const ApplicationDefaults = Object.freeze({
  PORT: 3000,
  HOST: '127.0.0.1',
});

const NOT_FOUND = 404;

/**
 * An application over an inversify container, with an explicit lifecycle:
 * `configure()` binds handlers and registers components, `start()` starts
 * the components in order and then listens, `stop()` undoes it all in
 * reverse.
 *
 * @example
 * class ChatApplication extends BaseApplication {
 *   protected configure() {
 *     this.bindValue(WebSocketBindingKeys.AUTHENTICATE_HANDLER, authenticate);
 *     this.component(WebSocketComponent);
 *   }
 * }
 * const address = await new ChatApplication({ port: 3000 }).start();
 */
export abstract class BaseApplication {
  readonly container = new Container({ defaultScope: 'Singleton' });
  readonly httpServer: Server;
  readonly logger: Logger;
  readonly #options: Required<Omit<ApplicationOptions, 'logger' | 'tls'>>;
  /** Whether the server speaks TLS (`https` and `wss`). */
  readonly secure: boolean;
  readonly #componentClasses: Array<Newable<BaseComponent>> = [];
  readonly #startedComponents: BaseComponent[] = [];
  #state: ApplicationState = ApplicationState.CREATED;
  #stopping: Promise<void> | undefined;

  constructor(options: ApplicationOptions = {}) {
    this.logger = options.logger ?? createDefaultLogger();
    this.#options = { port: options.port ?? ApplicationDefaults.PORT, host: options.host ?? ApplicationDefaults.HOST };
    const handler = (request: IncomingMessage, response: ServerResponse): void => this.handleRequest(request, response);
    this.secure = options.tls !== undefined;
    this.httpServer = options.tls ? createHttpsServer(hardenedHttpsOptions(options.tls), handler) : createServer(handler);
    this.bindValue(CoreBindingKeys.APPLICATION_INSTANCE, this);
    this.bindValue(CoreBindingKeys.HTTP_SERVER, this.httpServer);
    this.bindValue(CoreBindingKeys.LOGGER, this.logger);
  }

  get state(): ApplicationState {
    return this.#state;
  }

  /** Where the HTTP server listens, once started. */
  get address(): AddressInfo | undefined {
    const address = this.httpServer.address();
    return typeof address === 'object' && address !== null ? address : undefined;
  }

  /** Binds handlers and options, and registers components. Runs once, at the start of `start()`. */
  protected abstract configure(): ValueOrPromise<void>;

  /** Answers plain HTTP requests; the default answers 404. */
  protected handleRequest(_request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(NOT_FOUND, { 'content-type': 'text/plain' }).end('Not found');
  }

  /** Binds a constant under a key, replacing any earlier binding. */
  bindValue<T>(key: BindingKey<T>, value: T): void {
    if (this.container.isBound(key)) this.container.unbind(key);
    this.container.bind<T>(key).toConstantValue(value);
  }

  /** Removes a binding if there is one. */
  unbindValue(key: BindingKey<unknown>): void {
    if (this.container.isBound(key)) this.container.unbind(key);
  }

  /** Resolves a key; throws when nothing is bound under it. */
  resolve<T>(key: BindingKey<T>): T {
    return this.container.get<T>(key);
  }

  /** Resolves a key, or `undefined` when nothing is bound under it. */
  resolveOptional<T>(key: BindingKey<T>): T | undefined {
    return this.container.get<T>(key, { optional: true });
  }

  /** Registers a component class; it is built by the container and started with the application. */
  component(componentClass: Newable<BaseComponent>): void {
    this.#componentClasses.push(componentClass);
  }

  /**
   * Configures, starts every component in registration order, then listens.
   * If anything fails, what had started is stopped again and the error is rethrown.
   *
   * @returns the address the HTTP server listens on.
   */
  async start(): Promise<AddressInfo> {
    assertApplicationTransition(this.#state, ApplicationState.STARTING);
    this.#state = ApplicationState.STARTING;
    try {
      await this.configure();
      for (const componentClass of this.#componentClasses) {
        if (!this.container.isBound(componentClass)) this.container.bind(componentClass).toSelf();
        const component = this.container.get(componentClass);
        await component.start();
        this.#startedComponents.push(component);
      }
      await this.#listen();
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.#state = ApplicationState.STARTED;
    return this.address!;
  }

  /** Stops the components in reverse order and closes the HTTP server. Idempotent. */
  stop(): Promise<void> {
    if (this.#state === ApplicationState.STOPPED) return Promise.resolve();
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    assertApplicationTransition(this.#state, ApplicationState.STOPPING);
    this.#state = ApplicationState.STOPPING;
    for (const component of this.#startedComponents.splice(0).reverse()) {
      try {
        await component.stop();
      } catch (error) {
        this.logger.error({ err: error, component: component.constructor.name }, 'component failed to stop');
      }
    }
    if (this.httpServer.listening) {
      const closed = new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
      this.httpServer.closeAllConnections();
      await closed;
    }
    this.#state = ApplicationState.STOPPED;
  }

  #listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.httpServer.once('error', onError);
      this.httpServer.listen(this.#options.port, this.#options.host, () => {
        this.httpServer.off('error', onError);
        resolve();
      });
    });
  }
}
