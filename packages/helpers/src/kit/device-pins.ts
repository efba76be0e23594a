import { constantTimeEqual, fromBase64, toBase64 } from '../crypto/bytes.ts';
import type { PinStore } from '../crypto/pin-store.ts';
import { SealedError } from '../protocol/sealed-error.ts';
import { UsageErrorCode } from '../protocol/usage-error-codes.ts';
import type { ValueOrPromise } from '../types/value-or-promise.ts';

/** What `enrollDeviceFn` is asked about: a user's new device, and the devices already pinned for the user. */
export interface DeviceEnrollment {
  userId: string;
  /** The new device's identity key, base64. */
  key: string;
  /** Its fingerprint, for people to compare with what the device shows. */
  fingerprint: string;
  /** Fingerprints of the devices pinned for the user so far, oldest first. */
  devices: readonly string[];
}

/**
 * Decides whether a user's new device (a client identity key the server has
 * not pinned for the user) is enrolled beside the ones pinned already. The
 * device has proved its key and passed `authenticateFn`. A user's first
 * device is pinned without asking. Throwing refuses.
 */
export type EnrollDeviceFn = (enrollment: DeviceEnrollment) => ValueOrPromise<boolean>;

/** Defaults of the device options of the secure kit. */
export const DEVICE_DEFAULTS = Object.freeze({
  /** Devices pinned for one user at most; past it a new one is refused (`DEVICE_LIMIT`). */
  maxDevicesPerUser: 10,
});

/** Separates a user's device keys in its pin (base64 never holds it). */
const DEVICE_SEPARATOR = ',';

/** What admitting a device's key for a user came to. */
export type DeviceAdmission = 'KNOWN' | 'PINNED' | 'ENROLLED' | 'CLIENT_KEY_MISMATCH' | 'DEVICE_LIMIT' | 'PIN_STORE_FULL';

/** What {@link DevicePins} needs. */
export interface DevicePinsInit {
  /** One pin per user: its device keys, base64, in the order they were pinned. */
  store: PinStore;
  enrollDeviceFn: EnrollDeviceFn | undefined;
  maxDevicesPerUser: number;
  fingerprint: (key: Uint8Array) => string;
}

/**
 * The devices of each user, pinned by their identity keys: the first on
 * first use, later ones when `enrollDeviceFn` enrolls them (without it, a
 * user has one device). A user's admissions run one at a time, so two new
 * devices never overwrite each other's pin in this process.
 */
export class DevicePins {
  readonly #turns = new Map<string, Promise<unknown>>();

  constructor(private readonly init: DevicePinsInit) {}

  /** Admits `key` as a device of `userId`: one pinned already, the first, or a new one the application enrolls. */
  admit(userId: string, key: Uint8Array): Promise<DeviceAdmission> {
    const previous = this.#turns.get(userId) ?? Promise.resolve();
    const turn = previous.then(() => this.#admit(userId, key));
    const settled = turn.catch(() => undefined);
    this.#turns.set(userId, settled);
    void settled.then(() => {
      if (this.#turns.get(userId) === settled) this.#turns.delete(userId);
    });
    return turn;
  }

  async #admit(userId: string, key: Uint8Array): Promise<DeviceAdmission> {
    const { store, enrollDeviceFn, maxDevicesPerUser, fingerprint } = this.init;
    const pinned = readDevices(await store.get(userId));
    if (pinned.some((device) => constantTimeEqual(device, key))) return 'KNOWN';
    if (pinned.length > 0) {
      if (!enrollDeviceFn) return 'CLIENT_KEY_MISMATCH';
      if (pinned.length >= maxDevicesPerUser) return 'DEVICE_LIMIT';
      const enrollment: DeviceEnrollment = { userId, key: toBase64(key), fingerprint: fingerprint(key), devices: pinned.map(fingerprint) };
      const enrolled = await Promise.resolve()
        .then(() => enrollDeviceFn(enrollment))
        .catch(() => false);
      if (enrolled !== true) return 'CLIENT_KEY_MISMATCH';
    }
    try {
      await store.set(userId, [...pinned, key].map(toBase64).join(DEVICE_SEPARATOR));
    } catch (error) {
      if (SealedError.is(error) && error.code === UsageErrorCode.PIN_STORE_FULL) return 'PIN_STORE_FULL';
      throw error;
    }
    return pinned.length === 0 ? 'PINNED' : 'ENROLLED';
  }
}

/** A user's pinned device keys; a pin of one key (as pinned before devices) is one device. */
function readDevices(pin: string | undefined): Uint8Array[] {
  if (!pin) return [];
  return pin.split(DEVICE_SEPARATOR).flatMap((encoded) => {
    const key = fromBase64(encoded);
    return key ? [key] : [];
  });
}
