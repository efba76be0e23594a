import type { RedisClientType } from 'redis';
import { createRedisStoreClient } from '../../bus/redis-store-client.ts';
import type { Logger } from '../../logging/logger.ts';
import type { LoggedCommit } from '../../protocol/end-to-end.ts';
import type { AdmittedDevice, DeliveryServiceStore, GroupRecord, LogSlice } from './delivery-service-store.ts';

/** Options of a {@link RedisDeliveryServiceStore}. */
export interface RedisDeliveryServiceStoreOptions {
  /** `redis://host:port` (or `rediss://` for TLS). */
  url: string;
  /** Prefix of the keys (see {@link RedisDeliveryServiceStore}). */
  keyPrefix?: string;
  logger?: Logger;
}

/** Defaults of {@link RedisDeliveryServiceStoreOptions}. */
export const RedisDeliveryServiceStoreDefaults = Object.freeze({
  KEY_PREFIX: 'sealed:mls:',
});

/** KEYS: the device's KeyPackage list, its last-resort key. ARGV: the most to keep, the last-resort package ('' to keep the one held), the packages. */
const PUT_KEY_PACKAGES_SCRIPT = `redis.call('DEL', KEYS[1])
for i = 3, #ARGV do redis.call('RPUSH', KEYS[1], ARGV[i]) end
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[1]), -1)
if ARGV[2] ~= '' then redis.call('SET', KEYS[2], ARGV[2]) end
return redis.call('LLEN', KEYS[1])`;

/** KEYS: the device's KeyPackage list, its last-resort key. The oldest package, or the last-resort one (kept). */
const TAKE_KEY_PACKAGE_SCRIPT = `local package = redis.call('LPOP', KEYS[1])
if package then return package end
return redis.call('GET', KEYS[2])`;

/**
 * KEYS: the room's group record, its log. ARGV: the epoch the commit was made in, the next record, the log entry, the most entries to keep.
 * Accepts the commit only when the group is at that epoch (no record: epoch 0).
 */
const COMMIT_SCRIPT = `local current = 0
local record = redis.call('GET', KEYS[1])
if record then current = cjson.decode(record).epoch end
if current ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[4]), -1)
return 1`;

/**
 * A {@link DeliveryServiceStore} in Redis, shared by every instance. Per
 * room, keys `<prefix>{<room>}:group` (the group record, JSON),
 * `:log` (a list of accepted commits, oldest first) and `:admitted` (a hash
 * of device to admission); per device, `<prefix>{<device>}:packages` (a list
 * of KeyPackages) and `:last-resort`. The commit script accepts a commit
 * only when the group is at its epoch, in one step, so of two instances
 * committing for one epoch exactly one wins. Each script touches the keys of
 * one room or one device, which share a hash slot: a Redis Cluster works.
 * `start()` before use, `close()` when done; while Redis is unreachable,
 * operations reject.
 */
export class RedisDeliveryServiceStore implements DeliveryServiceStore {
  readonly sharedAcrossProcesses = true;
  readonly #client: RedisClientType;
  readonly #prefix: string;

  constructor(options: RedisDeliveryServiceStoreOptions) {
    this.#prefix = options.keyPrefix ?? RedisDeliveryServiceStoreDefaults.KEY_PREFIX;
    this.#client = createRedisStoreClient({ url: options.url, logger: options.logger, name: 'delivery service store' });
  }

  async start(): Promise<void> {
    await this.#client.connect();
  }

  async putKeyPackages(device: string, packages: readonly string[], lastResort: string | undefined, maxPerDevice: number): Promise<number> {
    const held = await this.#client.eval(PUT_KEY_PACKAGES_SCRIPT, {
      keys: this.#deviceKeys(device),
      arguments: [String(maxPerDevice), lastResort ?? '', ...packages],
    });
    return Number(held);
  }

  async takeKeyPackage(device: string): Promise<string | undefined> {
    const taken = await this.#client.eval(TAKE_KEY_PACKAGE_SCRIPT, { keys: this.#deviceKeys(device) });
    return typeof taken === 'string' ? taken : undefined;
  }

  async admit(room: string, device: AdmittedDevice): Promise<void> {
    await this.#client.hSet(this.#roomKey(room, 'admitted'), device.device, JSON.stringify(device));
  }

  async dismiss(room: string, device: string): Promise<void> {
    await this.#client.hDel(this.#roomKey(room, 'admitted'), device);
  }

  async admitted(room: string): Promise<AdmittedDevice[]> {
    const values = await this.#client.hVals(this.#roomKey(room, 'admitted'));
    return values.map((value) => JSON.parse(value) as AdmittedDevice);
  }

  async group(room: string): Promise<GroupRecord | undefined> {
    const record = await this.#client.get(this.#roomKey(room, 'group'));
    return record === null ? undefined : (JSON.parse(record) as GroupRecord);
  }

  async commit(room: string, next: GroupRecord, entry: LoggedCommit, maxLog: number): Promise<boolean> {
    if (next.epoch !== entry.epoch + 1) return false;
    const accepted = await this.#client.eval(COMMIT_SCRIPT, {
      keys: [this.#roomKey(room, 'group'), this.#roomKey(room, 'log')],
      arguments: [String(entry.epoch), JSON.stringify(next), JSON.stringify(entry), String(maxLog)],
    });
    return accepted === 1;
  }

  async log(room: string, since: number): Promise<LogSlice> {
    const [entries, group] = await Promise.all([this.#client.lRange(this.#roomKey(room, 'log'), 0, -1), this.group(room)]);
    const logged = entries.map((entry) => JSON.parse(entry) as LoggedCommit).filter((entry) => entry.epoch >= since);
    const current = group?.epoch ?? 0;
    return { entries: logged, complete: since >= current || logged[0]?.epoch === since };
  }

  /** Closes the connection; idempotent. */
  async close(): Promise<void> {
    if (this.#client.isOpen) await this.#client.close();
  }

  #roomKey(room: string, part: string): string {
    return `${this.#prefix}{${room}}:${part}`;
  }

  #deviceKeys(device: string): [string, string] {
    return [`${this.#prefix}{${device}}:packages`, `${this.#prefix}{${device}}:last-resort`];
  }
}
