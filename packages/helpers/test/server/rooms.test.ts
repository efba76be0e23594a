import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/index.ts';
import { TestClient, closeAfterEach } from '@sealed/test-support';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const track = closeAfterEach();
let server: TestServer;

async function connectAs(user: string): Promise<TestClient> {
  return track(await TestClient.as(server.url, user));
}

describe('join', () => {
  it('answers joined with the rooms granted, the rooms denied and the current rooms', async () => {
    server = track(await startTestServer({ validateRoomFn: ({ rooms }) => rooms.filter((room) => room !== 'vip') }));
    const client = await connectAs('alice');
    client.send('join', { rooms: ['lobby', 'vip', 'lobby'] });
    const joined = await client.next('joined');
    expect(joined.data).toEqual({
      rooms: ['lobby'],
      denied: [{ room: 'vip', code: ErrorCode.ROOM_DENIED, message: expect.any(String) }],
      current: ['lobby'],
    });
    expect(server.helper.getClientsByRoom({ room: 'lobby' })).toHaveLength(1);
    expect(server.helper.getClientsByRoom({ room: 'vip' })).toHaveLength(0);
  });

  it('denies every room, and says so, when no validateRoomFn is configured', async () => {
    server = track(await startTestServer({ validateRoomFn: undefined }));
    const client = await connectAs('alice');
    client.send('join', { rooms: ['lobby'] });
    const joined = await client.next('joined');
    expect(joined.data.rooms).toEqual([]);
    expect(joined.data.denied).toEqual([{ room: 'lobby', code: ErrorCode.ROOM_DENIED, message: expect.any(String) }]);
  });

  it('denies names that break the room-name rules without asking validateRoomFn', async () => {
    const asked: string[][] = [];
    server = track(await startTestServer({
      maxRoomNameLength: 10,
      validateRoomFn: ({ rooms }) => {
        asked.push(rooms);
        return rooms;
      },
    }));
    const client = await connectAs('alice');
    client.send('join', { rooms: ['sealed:user:bob', 'has space', 'x'.repeat(11), 'ok'] });
    const joined = await client.next('joined');
    expect(joined.data.rooms).toEqual(['ok']);
    expect(joined.data.denied.map((denial: { code: string }) => denial.code)).toEqual([
      ErrorCode.INVALID_ROOM_NAME,
      ErrorCode.INVALID_ROOM_NAME,
      ErrorCode.INVALID_ROOM_NAME,
    ]);
    expect(asked).toEqual([['ok']]);
  });

  it('stops at maxRoomsPerClient and reports the rest as ROOM_LIMIT', async () => {
    server = track(await startTestServer({ maxRoomsPerClient: 2 }));
    const client = await connectAs('alice');
    client.send('join', { rooms: ['a'] });
    await client.next('joined');
    client.send('join', { rooms: ['b', 'c'] });
    const joined = await client.next('joined');
    expect(joined.data.rooms).toEqual(['b']);
    expect(joined.data.denied).toEqual([{ room: 'c', code: ErrorCode.ROOM_LIMIT, message: expect.any(String) }]);
  });

  it('refuses a join or leave of more rooms than maxRoomsPerClient whole, with one short error, so the answer does not grow with the request', async () => {
    server = track(await startTestServer({ maxRoomsPerClient: 100 }));
    const client = await connectAs('alice');
    // 1,000 one-character names that all break the rules: each would be denied with its own message.
    const rooms = Array.from({ length: 1_000 }, () => '!');
    client.send('join', { rooms: rooms.map((room, i) => room + String(i % 10)) });
    const refusal = await client.next('error');
    expect(refusal.data.code).toBe(ErrorCode.INVALID_PAYLOAD);
    expect(JSON.stringify(refusal).length).toBeLessThan(200);
    client.send('leave', { rooms });
    expect((await client.next('error')).data.code).toBe(ErrorCode.INVALID_PAYLOAD);
    // At the limit the request is answered as usual.
    client.send('join', { rooms: rooms.slice(0, 100).map((room, i) => `${room}${i}`) });
    expect((await client.next('joined')).data.denied).toHaveLength(100);
    expect(client.all('joined')).toHaveLength(1);
  });

  it('denies the rooms when validateRoomFn throws, and keeps serving', async () => {
    server = track(await startTestServer({
      validateRoomFn: () => {
        throw new Error('policy store down');
      },
    }));
    const client = await connectAs('alice');
    client.send('join', { rooms: ['lobby'] });
    expect((await client.next('joined')).data.denied[0].code).toBe(ErrorCode.ROOM_DENIED);
    client.send('leave', { rooms: ['lobby'] });
    expect((await client.next('left')).data).toEqual({ rooms: [], current: [] });
  });

  it('answers INVALID_PAYLOAD when rooms is not an array of strings', async () => {
    server = track(await startTestServer());
    const client = await connectAs('alice');
    client.send('join', { rooms: ['a', 7] });
    expect((await client.next('error')).data.code).toBe(ErrorCode.INVALID_PAYLOAD);
    client.send('join', { rooms: 'a' });
    expect((await client.next('error')).data.code).toBe(ErrorCode.INVALID_PAYLOAD);
    expect(server.helper.getRooms()).toEqual([]);
  });

  it('puts every open client into the default rooms', async () => {
    server = track(await startTestServer({ defaultRooms: ['announcements'] }));
    await connectAs('alice');
    await connectAs('bob');
    expect(server.helper.getClientsByRoom({ room: 'announcements' })).toHaveLength(2);
  });
});

describe('leave', () => {
  it('answers left with the rooms left and the current rooms', async () => {
    server = track(await startTestServer());
    const client = await connectAs('alice');
    client.send('join', { rooms: ['a', 'b'] });
    await client.next('joined');
    client.send('leave', { rooms: ['a', 'not-a-member'] });
    expect((await client.next('left')).data).toEqual({ rooms: ['a'], current: ['b'] });
    expect(server.helper.getClientsByRoom({ room: 'a' })).toHaveLength(0);
  });

  it('removes a disconnected client from its rooms', async () => {
    server = track(await startTestServer());
    const client = await connectAs('alice');
    client.send('join', { rooms: ['a'] });
    await client.next('joined');
    await client.close();
    await expect.poll(() => server.helper.getRooms()).toEqual([]);
  });
});

describe('server-side joinRoom', () => {
  it('joins without validateRoomFn and refuses a reserved name', async () => {
    server = track(await startTestServer({ validateRoomFn: undefined }));
    const client = await connectAs('alice');
    const [info] = server.helper.getClientsByUser({ userId: 'alice' });
    expect(server.helper.joinRoom({ clientId: info!.id, rooms: ['staff'] })).toEqual(['staff']);
    expect(() => server.helper.joinRoom({ clientId: info!.id, rooms: ['sealed:x'] })).toThrow(/sealed:/);
    expect(server.helper.leaveRoom({ clientId: info!.id, rooms: ['staff'] })).toEqual(['staff']);
    await client.close();
  });
});

describe('client info handed to the application', () => {
  it('is a frozen snapshot: changing it changes nothing on the server, and it does not follow later changes', async () => {
    server = track(await startTestServer());
    const client = await connectAs('alice');
    const [info] = server.helper.getClientsByUser({ userId: 'alice' });
    expect(Object.isFrozen(info)).toBe(true);
    (info!.rooms as Set<string>).add('vip');
    expect(server.helper.getClientsByRoom({ room: 'vip' })).toEqual([]);
    expect(() => {
      (info as { encrypted: boolean }).encrypted = true;
    }).toThrow(TypeError);
    expect(server.helper.getClient({ clientId: info!.id })?.encrypted).toBe(false);
    server.helper.joinRoom({ clientId: info!.id, rooms: ['staff'] });
    expect([...info!.rooms]).toEqual(['vip']);
    expect([...server.helper.getClient({ clientId: info!.id })!.rooms]).toEqual(['staff']);
    expect('socket' in info!).toBe(false);
    await client.close();
  });
});
