import { randomBytes } from 'node:crypto';
import type { RedisClientType } from 'redis';
import { createRedisStoreClient } from '../../bus/redis-store-client.ts';
import type { Logger } from '../../logging/logger.ts';
import type { RoomPosition, StreamPosition } from '../../protocol/room-position.ts';
import { historySince, type HistoryEntry, type HistoryLimits, type HistorySince, type HistoryStore } from './history-store.ts';

/** Options of a {@link RedisHistoryStore}. */
export interface RedisHistoryStoreOptions {
  /** `redis://host:port` (or `rediss://` for TLS). */
  url: string;
  /** Prefix of the keys: per room a stream `<prefix>{<room>}:stream` and a hash `<prefix>{<room>}:meta`. */
  keyPrefix?: string;
  logger?: Logger;
}

/** Defaults of {@link RedisHistoryStoreOptions}. */
export const RedisHistoryStoreDefaults = Object.freeze({
  KEY_PREFIX: 'sealed:history:',
});

/** Random bytes in an epoch (hex). */
const EPOCH_BYTES = 8;

/** Redis's own clock, in ms, inside a script: every instance trims by the same clock. */
const NOW_MS = `local clock = redis.call('TIME') local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)`;

/** Starts the stream's meta (epoch, top) if it has none. */
const ENSURE_META = `if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('HSET', KEYS[1], 'epoch', ARGV[1], 'top', 0) redis.call('PEXPIRE', KEYS[1], ARGV[3]) end`;

/**
 * KEYS: meta, stream. ARGV: epoch for a new stream, max messages, max age in ms, the message (JSON).
 * Numbers the message (HINCRBY), adds it (XADD MAXLEN), drops what is older than the max age
 * (XTRIM MINID on the stream's time-based ids), and lets a silent room's keys expire after it.
 */
const APPEND_SCRIPT = `${NOW_MS} ${ENSURE_META}
local top = redis.call('HINCRBY', KEYS[1], 'top', 1)
local epoch = redis.call('HGET', KEYS[1], 'epoch')
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], '*', 'o', top, 'm', ARGV[4])
redis.call('XTRIM', KEYS[2], 'MINID', tostring(now - tonumber(ARGV[3])))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return {top, epoch}`;

/** KEYS: meta, stream. ARGV: epoch for a new stream, max messages, max age in ms. The meta and the messages kept, in one read. */
const READ_SCRIPT = `${NOW_MS} ${ENSURE_META}
local meta = redis.call('HMGET', KEYS[1], 'epoch', 'top')
local entries = redis.call('XRANGE', KEYS[2], tostring(now - tonumber(ARGV[3])), '+', 'COUNT', ARGV[2])
return {meta[1], meta[2], entries}`;

type StreamReply = [string, string[]];

/**
 * A {@link HistoryStore} in Redis Streams, shared by every instance that
 * uses the same Redis and surviving a server restart. Per room: a stream
 * trimmed by count (`MAXLEN`) and by age (`MINID` on its time-based ids,
 * Redis's clock), whose entries carry their offset; and a hash with the
 * epoch and the newest offset (`HINCRBY`, so two instances never give one
 * offset twice). Each operation is one script, so a read sees the meta and
 * the messages of one moment. A room silent for longer than `maxAgeMs`
 * expires, and its next message starts a new epoch. `start()` before use,
 * `close()` when done; while Redis is unreachable, operations reject.
 */
export class RedisHistoryStore implements HistoryStore {
  readonly #client: RedisClientType;
  readonly #keyPrefix: string;

  constructor(options: RedisHistoryStoreOptions) {
    this.#keyPrefix = options.keyPrefix ?? RedisHistoryStoreDefaults.KEY_PREFIX;
    this.#client = createRedisStoreClient({ url: options.url, logger: options.logger, name: 'history store' });
  }

  async start(): Promise<void> {
    await this.#client.connect();
  }

  async append(room: string, message: { event: string; data: unknown }, limits: HistoryLimits): Promise<RoomPosition> {
    const reply = (await this.#client.eval(APPEND_SCRIPT, {
      keys: this.#keys(room),
      arguments: [newEpoch(), String(limits.maxMessages), String(limits.maxAgeMs), JSON.stringify(message)],
    })) as [number, string];
    return { room, offset: Number(reply[0]), epoch: String(reply[1]) };
  }

  async since(room: string, position: StreamPosition, limits: HistoryLimits): Promise<HistorySince> {
    const [epoch, top, replies] = await this.#read(room, limits);
    return historySince({ epoch, top, entries: replies.map(toEntry) }, position);
  }

  async top(room: string, limits: HistoryLimits): Promise<StreamPosition> {
    const [epoch, top] = await this.#read(room, limits);
    return { offset: top, epoch };
  }

  /** Closes the connection; idempotent. */
  async close(): Promise<void> {
    if (this.#client.isOpen) await this.#client.close();
  }

  async #read(room: string, limits: HistoryLimits): Promise<[string, number, StreamReply[]]> {
    const reply = (await this.#client.eval(READ_SCRIPT, {
      keys: this.#keys(room),
      arguments: [newEpoch(), String(limits.maxMessages), String(limits.maxAgeMs)],
    })) as [string, string, StreamReply[]];
    return [String(reply[0]), Number(reply[1]), reply[2]];
  }

  /** The meta hash and the stream of a room, in one hash slot (`{room}`) for Redis Cluster. */
  #keys(room: string): [string, string] {
    return [`${this.#keyPrefix}{${room}}:meta`, `${this.#keyPrefix}{${room}}:stream`];
  }
}

function newEpoch(): string {
  return randomBytes(EPOCH_BYTES).toString('hex');
}

/** One stream entry, `[id, ['o', offset, 'm', message]]`, as a history entry. */
function toEntry([, fields]: StreamReply): HistoryEntry {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i]!, fields[i + 1]!);
  const message = JSON.parse(values.get('m') ?? '{}') as { event: string; data: unknown };
  return { offset: Number(values.get('o')), event: message.event, data: message.data };
}
