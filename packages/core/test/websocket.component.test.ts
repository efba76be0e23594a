import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  CloseCode,
  InProcessBus,
  InProcessBusHub,
  InvalidOptionsError,
  NodeCryptoProvider,
  RedisBus,
  createDefaultLogger,
  createSecureServerKit,
} from '@sealed/helpers';
import { SealedClient } from '@sealed/helpers/client';
import { TestClient, useRedisServer } from '@sealed/test-support';
import {
  ApplicationState,
  BaseApplication,
  MissingBindingError,
  WebSocketBindingKeys,
  WebSocketComponent,
} from '../src/index.ts';

const silentLogger = createDefaultLogger({ level: 'silent' });

type Configure = (app: BaseApplication) => void;

class TestApplication extends BaseApplication {
  constructor(private readonly setUp: Configure) {
    super({ port: 0, logger: silentLogger });
  }

  protected configure(): void {
    this.setUp(this);
    this.component(WebSocketComponent);
  }
}

let app: TestApplication | undefined;

afterEach(async () => {
  await app?.stop();
  app = undefined;
});

function urlOf(application: BaseApplication, path: string): string {
  return `ws://127.0.0.1:${application.address!.port}${path}`;
}

describe('WebSocketComponent', () => {
  it('assembles the server from the container bindings', async () => {
    const messages: string[] = [];
    app = new TestApplication((application) => {
      application.bindValue(WebSocketBindingKeys.SERVER_OPTIONS, { path: '/realtime', maxRoomsPerClient: 1 });
      application.bindValue(WebSocketBindingKeys.AUTHENTICATE_HANDLER, ({ data }) => ({
        userId: (data as { token: string }).token,
      }));
      application.bindValue(WebSocketBindingKeys.VALIDATE_ROOM_HANDLER, ({ rooms }) => rooms);
      application.bindValue(WebSocketBindingKeys.MESSAGE_HANDLER, ({ userId, event }) => void messages.push(`${userId}:${event}`));
    });
    await app.start();

    const { client, connected } = await TestClient.authenticated(urlOf(app, '/realtime'), { token: 'alice' });
    expect(connected.userId).toBe('alice');
    client.send('join', { rooms: ['a'] });
    expect((await client.next('joined')).data.rooms).toEqual(['a']);
    client.send('join', { rooms: ['b'] });
    const joined = await client.next('joined');
    expect(joined.data.rooms).toEqual([]);
    expect(joined.data.denied[0].code).toBe('ROOM_LIMIT');
    client.send('hello');
    await expect.poll(() => messages).toEqual(['alice:hello']);

    const helper = app.resolve(WebSocketBindingKeys.WEBSOCKET_INSTANCE);
    expect(helper.getClientsByRoom({ room: 'a' })).toHaveLength(1);
    await client.close();
  });

  it('applies timing options bound under SERVER_OPTIONS', async () => {
    app = new TestApplication((application) => {
      application.bindValue(WebSocketBindingKeys.SERVER_OPTIONS, { authTimeout: 50 });
      application.bindValue(WebSocketBindingKeys.AUTHENTICATE_HANDLER, () => null);
    });
    await app.start();
    const client = await TestClient.connect(urlOf(app, '/ws'));
    expect((await client.closed).code).toBe(CloseCode.AUTH_TIMEOUT);
  });

  it('refuses to start without an authenticate handler, naming the missing binding', async () => {
    app = new TestApplication(() => undefined);
    const started = app.start();
    await expect(started).rejects.toThrow(MissingBindingError);
    await expect(started).rejects.toThrow(/sealed\.websocket\.authenticateHandler/);
    expect(app.state).toBe(ApplicationState.STOPPED);
    expect(app.httpServer.listening).toBe(false);
  });

  it('shuts the server down when the application stops', async () => {
    app = new TestApplication((application) => {
      application.bindValue(WebSocketBindingKeys.AUTHENTICATE_HANDLER, () => ({ userId: 'alice' }));
    });
    await app.start();
    const { client } = await TestClient.authenticated(urlOf(app, '/ws'), {});
    await app.stop();
    expect((await client.closed).code).toBe(CloseCode.GOING_AWAY);
    expect(app.resolveOptional(WebSocketBindingKeys.WEBSOCKET_INSTANCE)).toBeUndefined();
    expect(app.state).toBe(ApplicationState.STOPPED);
  });
});

describe('WebSocketComponent with the secure kit bound', () => {
  it('passes the handshake and both transformers to the server', async () => {
    const kit = createSecureServerKit({ identity: new NodeCryptoProvider().ed25519KeyPair() });
    const echoed: unknown[] = [];
    app = new TestApplication((application) => {
      application.bindValue(WebSocketBindingKeys.SERVER_OPTIONS, { requireEncryption: kit.requireEncryption, encryptedBatchLimit: 3 });
      application.bindValue(WebSocketBindingKeys.AUTHENTICATE_HANDLER, ({ data }) => ({ userId: (data as { token: string }).token }));
      application.bindValue(WebSocketBindingKeys.HANDSHAKE_HANDLER, kit.handshakeFn);
      application.bindValue(WebSocketBindingKeys.OUTBOUND_TRANSFORMER, kit.outboundTransformer);
      application.bindValue(WebSocketBindingKeys.INBOUND_TRANSFORMER, kit.inboundTransformer);
      application.bindValue(WebSocketBindingKeys.MESSAGE_HANDLER, async ({ clientId, data }) => {
        echoed.push(data);
        await application.resolve(WebSocketBindingKeys.WEBSOCKET_INSTANCE).sendToClient({ clientId, event: 'echo', data });
      });
    });
    await app.start();

    const client = new SealedClient({
      url: urlOf(app, '/ws'),
      credentials: { token: 'alice' },
      crypto: new NodeCryptoProvider(),
      WebSocket: WebSocket,
      reconnect: { enabled: false },
    });
    try {
      const info = await client.connect();
      expect(info.level).toBe('encrypted');
      const reply = new Promise((resolve) => client.on('echo', resolve));
      await client.emit('chat', 'sealed');
      expect(await reply).toBe('sealed');
      expect(echoed).toEqual(['sealed']);
      expect(app.resolve(WebSocketBindingKeys.WEBSOCKET_INSTANCE).getClient({ clientId: info.clientId })?.encrypted).toBe(true);
    } finally {
      client.close();
    }
  });

  it('refuses a plaintext client when the bound options require encryption', async () => {
    const kit = createSecureServerKit({ identity: new NodeCryptoProvider().ed25519KeyPair() });
    app = new TestApplication((application) => {
      application.bindValue(WebSocketBindingKeys.SERVER_OPTIONS, { requireEncryption: true });
      application.bindValue(WebSocketBindingKeys.AUTHENTICATE_HANDLER, () => ({ userId: 'alice' }));
      application.bindValue(WebSocketBindingKeys.HANDSHAKE_HANDLER, kit.handshakeFn);
    });
    await app.start();
    const client = await TestClient.connect(urlOf(app, '/ws'));
    client.send('authenticate', {});
    expect((await client.closed).code).toBe(CloseCode.ENCRYPTION_REQUIRED);
  });
});

describe('WebSocketComponent with a message bus bound', () => {
  it('starts the bus, relays through it, and closes it when the application stops', async () => {
    const hub = new InProcessBusHub();
    const busOfOther = new InProcessBus(hub);
    const bus = new InProcessBus(hub);
    const relayed: unknown[] = [];
    await busOfOther.subscribe('sealed:all', (payload) => relayed.push(payload));
    app = new TestApplication((application) => {
      application.bindValue(WebSocketBindingKeys.AUTHENTICATE_HANDLER, () => ({ userId: 'alice' }));
      application.bindValue(WebSocketBindingKeys.MESSAGE_BUS, bus);
    });
    await app.start();
    await app.resolve(WebSocketBindingKeys.WEBSOCKET_INSTANCE).broadcast({ event: 'news' });
    await expect.poll(() => relayed.length).toBe(1);
    expect(hub.channels()).toContain('sealed:all');
    await app.stop();
    expect(hub.channels()).toEqual(['sealed:all']);
    await busOfOther.close();
    expect(hub.channels()).toEqual([]);
  });
});

describe('WebSocketComponent whose server cannot be built', () => {
  const redis = useRedisServer();

  /** Connections to Redis other than the one asking. */
  async function otherRedisClients(): Promise<number> {
    const list = await redis.current.command<string>(['CLIENT', 'LIST']);
    return list.trim().split('\n').length - 1;
  }

  it('closes the bus it started when the server options are invalid, and rethrows', async () => {
    const bus = new RedisBus({ url: redis.current.url, logger: silentLogger });
    app = new TestApplication((application) => {
      application.bindValue(WebSocketBindingKeys.AUTHENTICATE_HANDLER, () => ({ userId: 'alice' }));
      application.bindValue(WebSocketBindingKeys.MESSAGE_BUS, bus);
      application.bindValue(WebSocketBindingKeys.SERVER_OPTIONS, { maxConnections: -1 });
    });
    await expect(app.start()).rejects.toThrow(InvalidOptionsError);
    expect(await otherRedisClients()).toBe(0);
  });
});

describe('BaseApplication', () => {
  it('refuses to start twice', async () => {
    app = new TestApplication((application) => {
      application.bindValue(WebSocketBindingKeys.AUTHENTICATE_HANDLER, () => null);
    });
    await app.start();
    await expect(app.start()).rejects.toThrow(/cannot go from STARTED to STARTING/);
  });
});
