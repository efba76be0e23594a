import { describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode } from '../../src/index.ts';
import { FIRST_FRAME_ENTRY_PREFIX, UpgradeSubprotocol, upgradeSubprotocolsFor } from '../../src/protocol/index.ts';
import { TestClient, closeAfterEach } from '@sealed/test-support';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { refusedStatus } from '../support/refused-status.ts';

/**
 * A connection's first frame may ride in the upgrade request, as a
 * subprotocol entry: the server handles it as the first frame read from the
 * socket, under the same checks, and says so by answering
 * `sealed.first-frame`.
 */
const track = closeAfterEach();
let server: TestServer;

/** The subprotocols that carry `frame` (an object sent as JSON) in the upgrade. */
function carrying(frame: unknown): string[] {
  return upgradeSubprotocolsFor(Buffer.from(JSON.stringify(frame)));
}

describe('the first frame in the upgrade', () => {
  it('authenticates from the upgrade alone: connected comes with no frame sent', async () => {
    server = track(await startTestServer());
    const client = await TestClient.connect(server.url, {}, carrying({ event: 'authenticate', data: { token: 'alice' } }));
    expect(client.socket.protocol).toBe(UpgradeSubprotocol.FIRST_FRAME_TAKEN);
    const connected = await client.next('connected');
    expect(connected.data.userId).toBe('alice');
    expect(server.helper.getClientsByUser({ userId: 'alice' })).toHaveLength(1);
    await client.close();
  });

  it('handles frames sent right after the open once the upgrade frame has authenticated', async () => {
    server = track(await startTestServer({
      authenticateFn: async ({ data }) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { userId: (data as { token: string }).token };
      },
    }));
    const client = await TestClient.connect(server.url, {}, carrying({ event: 'authenticate', data: { token: 'alice' } }));
    client.send('join', { rooms: ['lobby'] });
    expect((await client.next('connected')).data.userId).toBe('alice');
    expect((await client.next('joined')).data.rooms).toEqual(['lobby']);
    await client.close();
  });

  it('refuses bad credentials from the upgrade as from a frame: error, then 4003', async () => {
    server = track(await startTestServer());
    const client = await TestClient.connect(server.url, {}, carrying({ event: 'authenticate', data: { token: '' } }));
    expect((await client.next('error')).data.code).toBe(ErrorCode.AUTH_FAILED);
    expect((await client.closed).code).toBe(CloseCode.AUTH_FAILED);
  });

  it('screens the upgrade frame as any frame: an event other than authenticate is answered NOT_AUTHENTICATED', async () => {
    server = track(await startTestServer());
    const client = await TestClient.connect(server.url, {}, carrying({ event: 'join', data: { rooms: ['lobby'] } }));
    expect((await client.next('error')).data.code).toBe(ErrorCode.NOT_AUTHENTICATED);
    client.send('authenticate', { token: 'alice' });
    expect((await client.next('connected')).data.userId).toBe('alice');
    await client.close();
  });

  it('answers INVALID_JSON for an upgrade frame that is UTF-8 but not JSON', async () => {
    server = track(await startTestServer());
    const client = await TestClient.connect(server.url, {}, upgradeSubprotocolsFor(Buffer.from('{"event":')));
    expect((await client.next('error')).data.code).toBe(ErrorCode.INVALID_JSON);
    await client.close();
  });

  it('answers sealed, and takes no frame, when the client offers none', async () => {
    server = track(await startTestServer());
    const { client, connected } = await TestClient.authenticated(server.url, { token: 'alice' }, {});
    expect(client.socket.protocol).toBe('');
    expect(connected.userId).toBe('alice');
    await client.close();
    const offering = await TestClient.connect(server.url, {}, [UpgradeSubprotocol.SEALED]);
    expect(offering.socket.protocol).toBe(UpgradeSubprotocol.SEALED);
    offering.send('authenticate', { token: 'bob' });
    expect((await offering.next('connected')).data.userId).toBe('bob');
    await offering.close();
  });

  it('refuses with 400 an upgrade whose frame is malformed, and keeps serving others', async () => {
    server = track(await startTestServer({ maxPayloadBytesBeforeAuth: 64 }));
    const entry = (bytes: Buffer): string => FIRST_FRAME_ENTRY_PREFIX + bytes.toString('base64url');
    const cases: Array<[string, string[]]> = [
      ['two frames', [...carrying({ event: 'authenticate' }), entry(Buffer.from('{}'))]],
      ['a frame without sealed.first-frame', [UpgradeSubprotocol.SEALED, entry(Buffer.from('{}'))]],
      ['an impossible base64url length', [UpgradeSubprotocol.SEALED, UpgradeSubprotocol.FIRST_FRAME_TAKEN, `${FIRST_FRAME_ENTRY_PREFIX}AAAAA`]],
      ['non-zero spare bits', [UpgradeSubprotocol.SEALED, UpgradeSubprotocol.FIRST_FRAME_TAKEN, `${FIRST_FRAME_ENTRY_PREFIX}AB`]],
      ['bytes that are not UTF-8', upgradeSubprotocolsFor(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))],
      ['a frame over maxPayloadBytesBeforeAuth', carrying({ event: 'authenticate', data: { token: 'x'.repeat(64) } })],
    ];
    for (const [name, protocols] of cases) {
      expect(await refusedStatus(server.url, {}, protocols), name).toBe(400);
    }
    expect(server.helper.getMetrics().connectionsRejected).toBe(cases.length);
    const { client, connected } = await TestClient.authenticated(server.url, { token: 'alice' });
    expect(connected.userId).toBe('alice');
    await client.close();
  });

  it('counts the upgrade frame toward the bytes a connection may send before it is open', async () => {
    const frame = { event: 'authenticate', data: { token: 'alice', padding: 'x'.repeat(40) } };
    const limit = JSON.stringify(frame).length + 10;
    server = track(await startTestServer({ maxBytesBeforeAuth: limit, maxPayloadBytesBeforeAuth: limit, authenticateFn: () => new Promise(() => undefined) }));
    const client = await TestClient.connect(server.url, {}, carrying(frame));
    client.send('note', { n: 1 });
    expect((await client.next('error')).data.code).toBe(ErrorCode.RATE_LIMITED);
    expect((await client.closed).code).toBe(CloseCode.RATE_LIMITED);
  });
});
