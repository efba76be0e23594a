import { describe, expect, it } from 'vitest';
import { TestClient, closeAfterEach } from '@sealed/test-support';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const track = closeAfterEach();
let server: TestServer;

/** Rooms whose name starts with `kept-` keep history. */
const keptRooms = ({ room }: { room: string }) => room.startsWith('kept-');

async function joined(client: TestClient, rooms: string[], since?: Record<string, { offset: number; epoch: string }>) {
  client.send('join', since ? { rooms, since } : { rooms });
  return (await client.next('joined')).data;
}

describe('room history', () => {
  it('gives every message of a room that keeps history its position, and none to other rooms', async () => {
    server = track(await startTestServer({ roomHistoryFn: keptRooms }));
    const alice = track(await TestClient.as(server.url, 'alice'));
    const answer = await joined(alice, ['kept-lobby', 'plain']);
    expect(answer.positions).toEqual({ 'kept-lobby': { offset: 0, epoch: expect.any(String) } });
    const { epoch } = answer.positions['kept-lobby'];
    for (const text of ['a', 'b', 'c']) await server.helper.sendToRoom({ room: 'kept-lobby', event: 'chat', data: { text } });
    await server.helper.sendToRoom({ room: 'plain', event: 'chat', data: { text: 'p' } });
    const chats = await Promise.all([1, 2, 3, 4].map(() => alice.next('chat')));
    expect(chats.map((chat) => chat.position)).toEqual([
      { room: 'kept-lobby', offset: 1, epoch },
      { room: 'kept-lobby', offset: 2, epoch },
      { room: 'kept-lobby', offset: 3, epoch },
      undefined,
    ]);
  });

  it('replays what a client missed after the position it names, in order, before joined, which says recovered', async () => {
    server = track(await startTestServer({ roomHistoryFn: keptRooms }));
    const bob = track(await TestClient.as(server.url, 'bob', ['kept-lobby']));
    const alice = track(await TestClient.as(server.url, 'alice'));
    const { epoch } = (await joined(alice, ['kept-lobby'])).positions['kept-lobby'];
    await server.helper.sendToRoom({ room: 'kept-lobby', event: 'chat', data: { n: 1 } });
    await alice.next('chat');
    await alice.close();
    for (const n of [2, 3, 4]) await server.helper.sendToRoom({ room: 'kept-lobby', event: 'chat', data: { n } });

    const back = track(await TestClient.as(server.url, 'alice'));
    const answer = await joined(back, ['kept-lobby'], { 'kept-lobby': { offset: 1, epoch } });
    expect(answer.recovered).toEqual({ 'kept-lobby': true });
    expect(answer.positions).toEqual({ 'kept-lobby': { offset: 4, epoch } });
    const beforeJoined = back.received.slice(back.received.findIndex((m) => m.event === 'connected') + 1);
    expect(beforeJoined.map((m) => [m.event, m.data?.n, m.position?.offset])).toEqual([
      ['chat', 2, 2],
      ['chat', 3, 3],
      ['chat', 4, 4],
      ['joined', undefined, undefined],
    ]);
    await server.helper.sendToRoom({ room: 'kept-lobby', event: 'chat', data: { n: 5 } });
    await expect.poll(() => back.received.at(-1)?.position).toEqual({ room: 'kept-lobby', offset: 5, epoch });
    // The replay went to alice alone: bob, who stayed, has each message once.
    await expect.poll(() => bob.all('chat').map((m) => m.position?.offset)).toEqual([1, 2, 3, 4, 5]);
  });

  it('says recovered: false and replays nothing when the gap is older than the history, or the epoch is another', async () => {
    server = track(await startTestServer({ roomHistoryFn: keptRooms, historyMaxMessages: 2 }));
    const alice = track(await TestClient.as(server.url, 'alice'));
    const { epoch } = (await joined(alice, ['kept-lobby'])).positions['kept-lobby'];
    await alice.close();
    for (const n of [1, 2, 3]) await server.helper.sendToRoom({ room: 'kept-lobby', event: 'chat', data: { n } });

    const trimmed = track(await TestClient.as(server.url, 'alice'));
    const answer = await joined(trimmed, ['kept-lobby'], { 'kept-lobby': { offset: 0, epoch } });
    expect(answer.recovered).toEqual({ 'kept-lobby': false });
    expect(answer.positions['kept-lobby']).toEqual({ offset: 3, epoch });
    await trimmed.close();

    const stranger = track(await TestClient.as(server.url, 'carol'));
    const other = await joined(stranger, ['kept-lobby'], { 'kept-lobby': { offset: 2, epoch: 'another-epoch' } });
    expect(other.recovered).toEqual({ 'kept-lobby': false });
    // Exactly at the top: nothing missed, complete.
    await stranger.close();
    const current = track(await TestClient.as(server.url, 'dave'));
    expect((await joined(current, ['kept-lobby'], { 'kept-lobby': { offset: 3, epoch } })).recovered).toEqual({ 'kept-lobby': true });
    for (const client of [trimmed, stranger, current]) expect(client.all('chat')).toHaveLength(0);
  });

  it('ignores since for rooms without history, and a malformed since entry joins without recovery', async () => {
    server = track(await startTestServer({ roomHistoryFn: keptRooms }));
    const alice = track(await TestClient.as(server.url, 'alice'));
    const answer = await joined(alice, ['plain', 'kept-a'], { plain: { offset: 3, epoch: 'x' }, 'kept-a': { offset: -1, epoch: 'x' } } as never);
    expect(answer).toEqual({ rooms: ['plain', 'kept-a'], denied: [], current: ['plain', 'kept-a'], positions: { 'kept-a': { offset: 0, epoch: expect.any(String) } } });
  });

  it('refuses a reserved event before keeping it', async () => {
    server = track(await startTestServer({ roomHistoryFn: keptRooms }));
    await expect(server.helper.sendToRoom({ room: 'kept-a', event: 'joined' })).rejects.toMatchObject({ code: 'RESERVED_EVENT_NAME' });
    const alice = track(await TestClient.as(server.url, 'alice'));
    expect((await joined(alice, ['kept-a'])).positions['kept-a'].offset).toBe(0);
  });
});
