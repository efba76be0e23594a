import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { BaseApplication, WebSocketBindingKeys, WebSocketComponent, type ApplicationOptions } from '@sealed/core';
import {
  InMemoryDeliveryServiceStore,
  InMemoryPresenceStore,
  InProcessBus,
  NodeCryptoProvider,
  PrometheusMetrics,
  RedisBus,
  RedisDeliveryServiceStore,
  RedisPresenceStore,
  RedisReplayStore,
  SecurityLevel,
  createSecureServerKit,
  loadOrCreateServerIdentity,
  type InboundTransformer,
  type OutboundTransformer,
  type RawKeyPair,
  type SecureServerKit,
} from '@sealed/helpers';
import { isSecretRoom } from './chat-protocol.ts';
import { createChatMessageHandler } from './handlers/chat-message-handler.ts';
import { demoAuthenticate } from './handlers/demo-authenticate.ts';
import { DEMO_MAX_DEVICES_PER_USER, demoEnrollDevice } from './handlers/demo-device-policy.ts';
import { demoRoomPolicy } from './handlers/demo-room-policy.ts';
import { readClientBundle } from './http/client-bundle.ts';
import { StaticSite } from './http/static-site.ts';
import { MetricsEndpoint } from './http/metrics-endpoint.ts';

const PUBLIC_DIRECTORY = fileURLToPath(new URL('../public/', import.meta.url));

/** Options of the sample chat, on top of where it listens. */
export interface ChatApplicationOptions extends ApplicationOptions {
  /** Levels the server accepts; `encrypted` only by default. */
  securityLevels?: readonly SecurityLevel[];
  /** File that keeps the server identity key across restarts; without it, a new key each start. */
  identityFile?: string;
  /** Redis to share rooms with other instances through; without it, the in-process bus. */
  redisUrl?: string;
  /** Shared secret that authenticates bus envelopes between instances. */
  busSecret?: string;
  /** Serve Prometheus metrics at `/metrics`; true by default. */
  metrics?: boolean;
  /** When set, `/metrics` asks for `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /**
   * Sees every frame as the server process holds it, after decryption and before encryption: an
   * audit of what the server could read (the tests use it to show it never holds a secret room's text).
   */
  observeFrames?: (frame: { direction: 'in' | 'out'; json: string }) => void;
}

/**
 * The sample chat: binds the demo handlers and the default secure channel
 * (handshake and both transformers) into the container, registers
 * `WebSocketComponent`, and serves the page.
 */
export class ChatApplication extends BaseApplication {
  readonly #site: StaticSite;
  readonly #identity: RawKeyPair;
  readonly #kit: SecureServerKit;
  readonly #options: ChatApplicationOptions;
  /** With Redis, the handshake nonces every instance claims, so a replay is refused by all of them. */
  readonly #replayStore: RedisReplayStore | undefined;
  /** With Redis, the members of every room, as every instance sees them. */
  readonly #presenceStore: RedisPresenceStore | undefined;
  /** With Redis, the groups of the secret rooms, ordered for every instance. */
  readonly #deliveryServiceStore: RedisDeliveryServiceStore | undefined;
  /** `/metrics`, when served. */
  readonly #metricsEndpoint: MetricsEndpoint | undefined;
  #metrics: PrometheusMetrics | undefined;

  constructor(options: ChatApplicationOptions = {}) {
    super(options);
    this.#options = options;
    this.#site = new StaticSite(PUBLIC_DIRECTORY);
    this.#identity = options.identityFile
      ? loadOrCreateServerIdentity(options.identityFile)
      : new NodeCryptoProvider().ed25519KeyPair();
    this.#replayStore = options.redisUrl ? new RedisReplayStore({ url: options.redisUrl, logger: this.logger }) : undefined;
    this.#presenceStore = options.redisUrl ? new RedisPresenceStore({ url: options.redisUrl, logger: this.logger }) : undefined;
    this.#deliveryServiceStore = options.redisUrl ? new RedisDeliveryServiceStore({ url: options.redisUrl, logger: this.logger }) : undefined;
    this.#metricsEndpoint = options.metrics === false ? undefined : new MetricsEndpoint(options.metricsToken);
    this.#kit = createSecureServerKit({
      identity: this.#identity,
      acceptedLevels: options.securityLevels ?? [SecurityLevel.ENCRYPTED],
      replayStore: this.#replayStore,
      // A name may sign in from a few browsers or devices, each with its own pinned key.
      enrollDeviceFn: demoEnrollDevice,
      maxDevicesPerUser: DEMO_MAX_DEVICES_PER_USER,
      logger: this.logger,
    });
  }

  /** Connects the shared stores (with Redis), starts the application, then exports its metrics. */
  override async start(): ReturnType<BaseApplication['start']> {
    try {
      await this.#replayStore?.start();
      await this.#presenceStore?.start();
      await this.#deliveryServiceStore?.start();
    } catch (error) {
      await this.#closeStores();
      throw error;
    }
    const address = await super.start();
    if (this.#metricsEndpoint) {
      this.#metrics = new PrometheusMetrics({ server: this.resolve(WebSocketBindingKeys.WEBSOCKET_INSTANCE), kit: this.#kit });
      this.#metricsEndpoint.serve(this.#metrics);
    }
    return address;
  }

  /** Stops the application, then closes the shared stores. */
  override async stop(): Promise<void> {
    this.#metricsEndpoint?.serve(undefined);
    this.#metrics?.close();
    this.#metrics = undefined;
    await super.stop();
    await this.#closeStores();
  }

  async #closeStores(): Promise<void> {
    await this.#replayStore?.close();
    await this.#presenceStore?.close();
    await this.#deliveryServiceStore?.close();
  }

  /** Fingerprint of the server identity key, for people to compare with what their client pinned. */
  get identityFingerprint(): string {
    return this.#kit.identityFingerprint;
  }

  get acceptedLevels(): readonly SecurityLevel[] {
    return this.#kit.acceptedLevels;
  }

  /** Which bus the instance uses: `redis` or `in-process`. */
  get busKind(): 'redis' | 'in-process' {
    return this.#options.redisUrl ? 'redis' : 'in-process';
  }

  protected async configure(): Promise<void> {
    this.#site.setClientBundle(await readClientBundle());
    this.bindValue(WebSocketBindingKeys.SERVER_OPTIONS, {
      identifier: 'sealed-chat',
      requireEncryption: this.#kit.requireEncryption,
      busSecret: this.#options.busSecret,
    });
    const { redisUrl } = this.#options;
    this.bindValue(
      WebSocketBindingKeys.MESSAGE_BUS,
      redisUrl ? new RedisBus({ url: redisUrl, logger: this.logger }) : new InProcessBus(),
    );
    // Runs once the page has proved its key; the name arrives sealed inside the handshake.
    this.bindValue(WebSocketBindingKeys.AUTHENTICATE_HANDLER, demoAuthenticate);
    this.bindValue(WebSocketBindingKeys.VALIDATE_ROOM_HANDLER, demoRoomPolicy);
    // Every chat room shows who is in it.
    this.bindValue(WebSocketBindingKeys.ROOM_PRESENCE_HANDLER, () => true);
    this.bindValue(WebSocketBindingKeys.PRESENCE_STORE, this.#presenceStore ?? new InMemoryPresenceStore());
    // Rooms named `secret-*` are end-to-end: MLS groups of the members' browsers, the server relays what it cannot read.
    this.bindValue(WebSocketBindingKeys.END_TO_END_ROOM_HANDLER, ({ room }) => isSecretRoom(room));
    this.bindValue(WebSocketBindingKeys.DELIVERY_SERVICE_STORE, this.#deliveryServiceStore ?? new InMemoryDeliveryServiceStore());
    this.bindValue(WebSocketBindingKeys.HANDSHAKE_HANDLER, this.#kit.handshakeFn);
    this.bindValue(WebSocketBindingKeys.OUTBOUND_TRANSFORMER, this.#observedOutbound());
    this.bindValue(WebSocketBindingKeys.INBOUND_TRANSFORMER, this.#observedInbound());
    this.bindValue(
      WebSocketBindingKeys.MESSAGE_HANDLER,
      createChatMessageHandler(() => this.resolve(WebSocketBindingKeys.WEBSOCKET_INSTANCE)),
    );
    this.component(WebSocketComponent);
  }

  /** The kit's outbound transformer, showing `observeFrames` each frame before it is sealed. */
  #observedOutbound(): OutboundTransformer {
    const { observeFrames } = this.#options;
    const transformer = this.#kit.outboundTransformer;
    if (!observeFrames) return transformer;
    return (context) => {
      observeFrames({ direction: 'out', json: JSON.stringify({ event: context.event, data: context.data }) });
      return transformer(context);
    };
  }

  /** The kit's inbound transformer, showing `observeFrames` each frame once opened. */
  #observedInbound(): InboundTransformer {
    const { observeFrames } = this.#options;
    const transformer = this.#kit.inboundTransformer;
    if (!observeFrames) return transformer;
    return async (context) => {
      const opened = await transformer(context);
      if (opened) observeFrames({ direction: 'in', json: typeof opened === 'string' ? opened : JSON.stringify(opened) });
      return opened;
    };
  }

  protected override handleRequest(request: IncomingMessage, response: ServerResponse): void {
    if (this.#metricsEndpoint?.handle(request, response)) return;
    this.#site.handle(request, response);
  }
}
