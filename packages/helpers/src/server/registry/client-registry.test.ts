import { describe, expect, it } from 'vitest';
import { ClientRegistry } from './client-registry.ts';
import type { WebSocketClient } from './websocket-client.ts';

/** The registry reads only a client's id and user id. */
function client(id: string, userId: string | undefined): WebSocketClient {
  return { id, userId } as WebSocketClient;
}

function registryWithLog(): { registry: ClientRegistry; log: string[] } {
  const registry = new ClientRegistry();
  const log: string[] = [];
  registry.listen({ userOpened: (userId) => log.push(`opened ${userId}`), userClosed: (userId) => log.push(`closed ${userId}`) });
  return { registry, log };
}

function index(registry: ClientRegistry, ...clients: WebSocketClient[]): void {
  for (const each of clients) {
    registry.add(each);
    registry.indexUser(each);
  }
}

describe('ClientRegistry', () => {
  it("files a user's clients as they come and go, and tells of the user's first and last", () => {
    const { registry, log } = registryWithLog();
    const [a, b, c] = [client('a', 'ada'), client('b', 'ada'), client('c', 'ada')];
    index(registry, a);
    expect([...registry.byUser('ada')]).toEqual([a]);
    index(registry, b, c);
    expect([...registry.byUser('ada')]).toEqual([a, b, c]);
    registry.remove(b);
    expect([...registry.byUser('ada')]).toEqual([a, c]);
    registry.remove(a);
    expect([...registry.byUser('ada')]).toEqual([c]);
    index(registry, b);
    expect([...registry.byUser('ada')]).toEqual([c, b]);
    registry.remove(c);
    registry.remove(b);
    expect([...registry.byUser('ada')]).toEqual([]);
    expect(log).toEqual(['opened ada', 'closed ada']);
    expect(registry.size).toBe(0);
  });

  it('files a client once however often it is indexed, and keeps users apart', () => {
    const { registry, log } = registryWithLog();
    const [a, b] = [client('a', 'ada'), client('b', 'bob')];
    index(registry, a, b);
    registry.indexUser(a);
    expect([...registry.byUser('ada')]).toEqual([a]);
    registry.remove(a);
    expect([...registry.byUser('ada')]).toEqual([]);
    expect([...registry.byUser('bob')]).toEqual([b]);
    expect(log).toEqual(['opened ada', 'opened bob', 'closed ada']);
  });

  it('leaves a user alone when a client that was never filed under it goes', () => {
    const { registry, log } = registryWithLog();
    const a = client('a', 'ada');
    index(registry, a);
    registry.remove(client('stranger', 'ada'));
    registry.remove(client('anonymous', undefined));
    expect([...registry.byUser('ada')]).toEqual([a]);
    expect(registry.get('a')).toBe(a);
    expect(log).toEqual(['opened ada']);
  });
});
