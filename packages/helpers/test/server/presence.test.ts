import { afterEach, describe, expect, it } from 'vitest';
import { TestClient } from '@sealed/test-support';
import { ServerEvent, type PresenceChange, type SealedClient } from '../../src/client/index.ts';
import { ErrorCode } from '../../src/index.ts';
import { sdkClient, startSecureServer, type SecureTestServer } from '../support/secure-test-server.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer | SecureTestServer | undefined;
const clients: SealedClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

const tracksPresence = ({ room }: { room: string }) => room.startsWith('team-');

async function member(user: string): Promise<{ client: SealedClient; clientId: string; changes: PresenceChange[] }> {
  const client = sdkClient(server!.url, user);
  clients.push(client);
  const changes: PresenceChange[] = [];
  client.on(ServerEvent.PRESENCE, (change) => void changes.push(change));
  const { clientId } = await client.connect();
  return { client, clientId, changes };
}

const byUser = (members: readonly { userId: string }[]) => members.map((entry) => entry.userId).sort();

describe('presence', () => {
  it('answers a join with the room members, and tells the others who joined, left and disconnected', async () => {
    server = await startSecureServer({ server: { roomPresenceFn: tracksPresence } });
    const alice = await member('alice');
    expect((await alice.client.join(['team-a'])).members).toEqual({ 'team-a': [{ clientId: alice.clientId, userId: 'alice' }] });
    const bob = await member('bob');
    const joined = await bob.client.join(['team-a']);
    expect(byUser(joined.members!['team-a']!)).toEqual(['alice', 'bob']);
    await expect.poll(() => alice.changes).toEqual([{ room: 'team-a', joined: [{ clientId: bob.clientId, userId: 'bob' }], left: [] }]);
    expect(bob.changes).toEqual([]);

    await bob.client.leave(['team-a']);
    await expect.poll(() => alice.changes.at(-1)).toEqual({ room: 'team-a', joined: [], left: [{ clientId: bob.clientId, userId: 'bob' }] });
    await bob.client.join(['team-a']);
    bob.client.close();
    await expect.poll(() => alice.changes.at(-1)).toEqual({ room: 'team-a', joined: [], left: [{ clientId: bob.clientId, userId: 'bob' }] });
    expect(alice.changes).toHaveLength(4);
    expect(byUser(await server.helper.getPresence({ room: 'team-a' }))).toEqual(['alice']);
  });

  it('keeps no presence for rooms the policy leaves out', async () => {
    server = await startSecureServer({ server: { roomPresenceFn: tracksPresence } });
    const alice = await member('alice');
    const bob = await member('bob');
    expect((await alice.client.join(['lobby'])).members).toBeUndefined();
    await bob.client.join(['lobby']);
    expect(await server.helper.getPresence({ room: 'lobby' })).toEqual([]);
    // Answered after anything the server sent alice for bob's join.
    await alice.client.leave(['lobby']);
    expect(alice.changes).toEqual([]);
  });

  it('lists the members of a room on request, to its members only', async () => {
    server = await startSecureServer({ server: { roomPresenceFn: tracksPresence } });
    const alice = await member('alice');
    const bob = await member('bob');
    await alice.client.join(['team-a', 'lobby']);
    await bob.client.join(['team-a']);
    expect(byUser(await alice.client.members('team-a'))).toEqual(['alice', 'bob']);
    await expect(alice.client.members('lobby')).rejects.toMatchObject({ code: ErrorCode.NO_PRESENCE });
    await expect(alice.client.members('team-b')).rejects.toMatchObject({ code: ErrorCode.NO_PRESENCE });
  });

  it('takes sealed:members only as a request, on the wire', async () => {
    server = await startTestServer({ roomPresenceFn: tracksPresence });
    const raw = await TestClient.as(server.url, 'alice', ['team-a']);
    raw.sendRaw(JSON.stringify({ event: 'sealed:members', data: { room: 'team-a' }, ack: 1 }));
    expect(await raw.next('sealed:reply')).toEqual({ event: 'sealed:reply', data: { result: { room: 'team-a', members: [{ clientId: raw.id, userId: 'alice' }] } }, ack: 1 });
    raw.sendRaw(JSON.stringify({ event: 'sealed:members', data: { room: 'team-a' } }));
    expect((await raw.next('error')).data.code).toBe(ErrorCode.INVALID_ACK);
    await raw.close();
  });
});
