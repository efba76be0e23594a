import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode, createDefaultLogger } from '@sealed/helpers';
import { TestClient } from '@sealed/test-support';
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
    client.send('join', { rooms: ['a', 'b'] });
    const joined = await client.next('joined');
    expect(joined.data.rooms).toEqual(['a']);
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

describe('BaseApplication', () => {
  it('refuses to start twice', async () => {
    app = new TestApplication((application) => {
      application.bindValue(WebSocketBindingKeys.AUTHENTICATE_HANDLER, () => null);
    });
    await app.start();
    await expect(app.start()).rejects.toThrow(/cannot go from STARTED to STARTING/);
  });
});
