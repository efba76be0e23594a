import type { RedisClientType } from 'redis';
import { createRedisStoreClient } from '../../bus/redis-store-client.ts';
import type { Logger } from '../../logging/logger.ts';
import type { PresenceMember, PresenceStore, ReapedMembers } from './presence-store.ts';

/** Options of a {@link RedisPresenceStore}. */
export interface RedisPresenceStoreOptions {
  /** `redis://host:port` (or `rediss://` for TLS). */
  url: string;
  /** Prefix of the keys (see {@link RedisPresenceStore}). */
  keyPrefix?: string;
  logger?: Logger;
}

/** Defaults of {@link RedisPresenceStoreOptions}. */
export const RedisPresenceStoreDefaults = Object.freeze({
  KEY_PREFIX: 'sealed:presence:',
});

/**
 * KEYS: the room's hash, the instance's set of rooms, the set of instances. ARGV: client id, member (JSON), instance id, room.
 */
const ADD_SCRIPT = `redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[4])
redis.call('SADD', KEYS[3], ARGV[3])
return 1`;

/**
 * KEYS: the room's hash. ARGV: the prefix of instance keys.
 * The members whose instance is alive; the others are left for `reap`.
 */
const MEMBERS_SCRIPT = `local entries = redis.call('HGETALL', KEYS[1])
local alive = {}
local live = {}
for i = 1, #entries, 2 do
  local member = cjson.decode(entries[i + 1])
  if alive[member.i] == nil then alive[member.i] = redis.call('EXISTS', ARGV[1] .. member.i) == 1 end
  if alive[member.i] then table.insert(live, entries[i + 1]) end
end
return live`;

/**
 * KEYS: the set of instances. ARGV: the prefix of instance keys, of room sets, of room hashes.
 * For each instance whose key expired: removes its members from each of its rooms and returns
 * them as { room, member, member, ... } lists, then forgets the instance.
 */
const REAP_SCRIPT = `local reaped = {}
for _, instance in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. instance) == 0 then
    local roomsKey = ARGV[2] .. instance
    for _, room in ipairs(redis.call('SMEMBERS', roomsKey)) do
      local hash = ARGV[3] .. room
      local gone = { room }
      local entries = redis.call('HGETALL', hash)
      for i = 1, #entries, 2 do
        if cjson.decode(entries[i + 1]).i == instance then
          redis.call('HDEL', hash, entries[i])
          table.insert(gone, entries[i + 1])
        end
      end
      if #gone > 1 then table.insert(reaped, gone) end
    end
    redis.call('DEL', roomsKey)
    redis.call('SREM', KEYS[1], instance)
  end
end
return reaped`;

/** A member as kept in a room's hash: its user and its instance. */
interface StoredMember {
  c: string;
  u: string;
  i: string;
}

/**
 * A {@link PresenceStore} in Redis, shared by every instance: per room a
 * hash `<prefix>room:<room>` from client id to `{ c, u, i }` (client, user,
 * instance); per instance a key `<prefix>alive:<id>` that lives as long as
 * its heartbeat says, and a set `<prefix>rooms:<id>` of the rooms it added
 * members to; and the set `<prefix>instances`. Scripts touch keys they
 * compute, so the store needs one Redis, not a Redis Cluster. `start()`
 * before use, `close()` when done; while Redis is unreachable, operations
 * reject.
 */
export class RedisPresenceStore implements PresenceStore {
  readonly #client: RedisClientType;
  readonly #prefix: string;

  constructor(options: RedisPresenceStoreOptions) {
    this.#prefix = options.keyPrefix ?? RedisPresenceStoreDefaults.KEY_PREFIX;
    this.#client = createRedisStoreClient({ url: options.url, logger: options.logger, name: 'presence store' });
  }

  async start(): Promise<void> {
    await this.#client.connect();
  }

  async add(room: string, member: PresenceMember, instanceId: string): Promise<void> {
    const stored: StoredMember = { c: member.clientId, u: member.userId, i: instanceId };
    await this.#client.eval(ADD_SCRIPT, {
      keys: [this.#roomKey(room), `${this.#prefix}rooms:${instanceId}`, `${this.#prefix}instances`],
      arguments: [member.clientId, JSON.stringify(stored), instanceId, room],
    });
  }

  async remove(room: string, clientId: string): Promise<void> {
    await this.#client.hDel(this.#roomKey(room), clientId);
  }

  async members(room: string): Promise<PresenceMember[]> {
    const live = (await this.#client.eval(MEMBERS_SCRIPT, { keys: [this.#roomKey(room)], arguments: [`${this.#prefix}alive:`] })) as string[];
    return live.map(toMember);
  }

  async heartbeat(instanceId: string, ttlMs: number): Promise<void> {
    await this.#client.set(`${this.#prefix}alive:${instanceId}`, '1', { expiration: { type: 'PX', value: ttlMs } });
  }

  async reap(): Promise<ReapedMembers> {
    const reply = (await this.#client.eval(REAP_SCRIPT, {
      keys: [`${this.#prefix}instances`],
      arguments: [`${this.#prefix}alive:`, `${this.#prefix}rooms:`, `${this.#prefix}room:`],
    })) as string[][];
    const reaped = new Map<string, PresenceMember[]>();
    for (const [room, ...members] of reply) reaped.set(room!, members.map(toMember));
    return reaped;
  }

  /** Closes the connection; idempotent. */
  async close(): Promise<void> {
    if (this.#client.isOpen) await this.#client.close();
  }

  #roomKey(room: string): string {
    return `${this.#prefix}room:${room}`;
  }
}

function toMember(json: string): PresenceMember {
  const stored = JSON.parse(json) as StoredMember;
  return { clientId: stored.c, userId: stored.u };
}
