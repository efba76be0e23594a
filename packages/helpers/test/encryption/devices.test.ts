import { afterEach, describe, expect, it } from 'vitest';
import { ClientFailureCode, type SealedClient } from '../../src/client/index.ts';
import { InMemoryPinStore, type DeviceEnrollment, type EnrollDeviceFn } from '../../src/index.ts';
import { nodeCrypto, recordChat, sdkClient, startSecureServer, type SecureTestServer } from '../support/secure-test-server.ts';

let server: SecureTestServer | undefined;
const clients: SealedClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

/** A device of `user`: an SDK client with an identity key of its own. */
function device(user: string, identity = nodeCrypto.ed25519KeyPair()): SealedClient {
  const client = sdkClient(server!.url, user, { identity });
  clients.push(client);
  return client;
}

async function startWithDevices(options: { enrollDeviceFn?: EnrollDeviceFn; maxDevicesPerUser?: number; pins?: InMemoryPinStore } = {}) {
  server = await startSecureServer({
    kit: { enrollDeviceFn: options.enrollDeviceFn, maxDevicesPerUser: options.maxDevicesPerUser, clientKeyPins: options.pins },
  });
  return server;
}

describe('devices of one user', () => {
  it('keeps one device per user without enrollDeviceFn: another key is refused with CLIENT_KEY_MISMATCH', async () => {
    const live = await startWithDevices();
    await device('alice').connect();
    await expect(device('alice').connect()).rejects.toMatchObject({ code: ClientFailureCode.CLIENT_KEY_MISMATCH });
    expect(live.kit.getMetrics().handshakeRefusals.CLIENT_KEY_MISMATCH).toBe(1);
  });

  it('enrolls a further device when the application says so, and both read the room', async () => {
    const asked: DeviceEnrollment[] = [];
    const live = await startWithDevices({ enrollDeviceFn: (enrollment) => asked.push(enrollment) > 0 });
    const laptopIdentity = nodeCrypto.ed25519KeyPair();
    const laptop = device('alice', laptopIdentity);
    const phone = device('alice');
    await laptop.connect();
    await phone.connect();
    expect(asked).toEqual([
      {
        userId: 'alice',
        key: phone.identityPublicKey,
        fingerprint: expect.stringMatching(/^[0-9a-f]{4}( [0-9a-f]{4}){7}$/),
        devices: [expect.stringMatching(/^[0-9a-f]{4}( [0-9a-f]{4}){7}$/)],
      },
    ]);
    expect(asked[0]!.fingerprint).not.toBe(asked[0]!.devices[0]);
    expect(live.kit.getMetrics().devicesEnrolled).toBe(1);

    const heard = [recordChat(laptop), recordChat(phone)];
    await laptop.join(['lobby']);
    await phone.join(['lobby']);
    await live.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { n: 1 } });
    await expect.poll(() => heard.map((record) => record.received)).toEqual([[1], [1]]);

    // A known device comes back without asking again.
    laptop.close();
    await device('alice', laptopIdentity).connect();
    expect(asked).toHaveLength(1);
  });

  it('refuses a device the application does not enroll, or whose enrollment throws', async () => {
    let decision: () => boolean = () => false;
    const live = await startWithDevices({ enrollDeviceFn: () => decision() });
    await device('alice').connect();
    await expect(device('alice').connect()).rejects.toMatchObject({ code: ClientFailureCode.CLIENT_KEY_MISMATCH });
    decision = () => {
      throw new Error('enrollment service down');
    };
    await expect(device('alice').connect()).rejects.toMatchObject({ code: ClientFailureCode.CLIENT_KEY_MISMATCH });
    expect(live.kit.getMetrics()).toMatchObject({ devicesEnrolled: 0, handshakeRefusals: { CLIENT_KEY_MISMATCH: 2 } });
  });

  it('refuses a device past maxDevicesPerUser without asking the application', async () => {
    let asked = 0;
    const live = await startWithDevices({ maxDevicesPerUser: 2, enrollDeviceFn: () => ++asked > 0 });
    await device('alice').connect();
    await device('alice').connect();
    const refused = await device('alice').connect().catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: ClientFailureCode.CLIENT_KEY_MISMATCH, message: expect.stringMatching(/as many devices/) });
    expect(asked).toBe(1);
    expect(live.kit.getMetrics().handshakeRefusals.DEVICE_LIMIT).toBe(1);
  });

  it('pins every device of two enrolled at once, without one overwriting the other', async () => {
    const pins = new InMemoryPinStore();
    await startWithDevices({ pins, enrollDeviceFn: async () => new Promise((resolve) => setTimeout(() => resolve(true), 20)) });
    await device('alice').connect();
    await Promise.all([device('alice').connect(), device('alice').connect()]);
    expect(pins.get('alice')!.split(',')).toHaveLength(3);
  });
});
