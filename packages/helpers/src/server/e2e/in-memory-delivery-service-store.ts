import type { LoggedCommit } from '../../protocol/end-to-end.ts';
import type { AdmittedDevice, DeliveryServiceStore, GroupRecord, LogSlice } from './delivery-service-store.ts';

interface DeviceKeyPackages {
  packages: string[];
  lastResort: string | undefined;
}

/** The Delivery Service's state in this process: the default, for one instance. */
export class InMemoryDeliveryServiceStore implements DeliveryServiceStore {
  readonly sharedAcrossProcesses = false;
  readonly #keyPackages = new Map<string, DeviceKeyPackages>();
  readonly #admitted = new Map<string, Map<string, AdmittedDevice>>();
  readonly #groups = new Map<string, GroupRecord>();
  readonly #logs = new Map<string, LoggedCommit[]>();

  putKeyPackages(device: string, packages: readonly string[], lastResort: string | undefined, maxPerDevice: number): Promise<number> {
    const held: DeviceKeyPackages = { packages: packages.slice(-maxPerDevice), lastResort: lastResort ?? this.#keyPackages.get(device)?.lastResort };
    this.#keyPackages.set(device, held);
    return Promise.resolve(held.packages.length);
  }

  takeKeyPackage(device: string): Promise<string | undefined> {
    const held = this.#keyPackages.get(device);
    return Promise.resolve(held?.packages.shift() ?? held?.lastResort);
  }

  admit(room: string, device: AdmittedDevice): Promise<void> {
    let devices = this.#admitted.get(room);
    if (!devices) this.#admitted.set(room, (devices = new Map()));
    devices.set(device.device, device);
    return Promise.resolve();
  }

  dismiss(room: string, device: string): Promise<void> {
    const devices = this.#admitted.get(room);
    devices?.delete(device);
    if (devices?.size === 0) this.#admitted.delete(room);
    return Promise.resolve();
  }

  admitted(room: string): Promise<AdmittedDevice[]> {
    return Promise.resolve([...(this.#admitted.get(room)?.values() ?? [])]);
  }

  group(room: string): Promise<GroupRecord | undefined> {
    return Promise.resolve(this.#groups.get(room));
  }

  commit(room: string, next: GroupRecord, entry: LoggedCommit, maxLog: number): Promise<boolean> {
    const current = this.#groups.get(room)?.epoch ?? 0;
    if (entry.epoch !== current || next.epoch !== current + 1) return Promise.resolve(false);
    this.#groups.set(room, next);
    let log = this.#logs.get(room);
    if (!log) this.#logs.set(room, (log = []));
    log.push(entry);
    if (log.length > maxLog) log.splice(0, log.length - maxLog);
    return Promise.resolve(true);
  }

  log(room: string, since: number): Promise<LogSlice> {
    const log = this.#logs.get(room) ?? [];
    const entries = log.filter((entry) => entry.epoch >= since);
    const current = this.#groups.get(room)?.epoch ?? 0;
    // Complete when it starts at `since`, or nothing was committed since.
    const complete = since >= current || entries[0]?.epoch === since;
    return Promise.resolve({ entries, complete });
  }
}
