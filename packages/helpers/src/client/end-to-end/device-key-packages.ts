import { defaultCapabilities, defaultLifetime, generateKeyPackageWithKey, encodeMlsMessage, type KeyPackage, type PrivateKeyPackage } from 'ts-mls';
import { toBase64 } from '../../crypto/bytes.ts';
import type { RawKeyPair } from '../../crypto/crypto-provider.ts';
import { mlsCipherSuite } from '../../crypto/mls-cipher-suite.ts';

/** A KeyPackage this device made, with the private keys a Welcome made for it opens with. */
export interface HeldKeyPackage {
  readonly publicPackage: KeyPackage;
  readonly privatePackage: PrivateKeyPackage;
}

const utf8 = new TextEncoder();

/**
 * The KeyPackages of this device for end-to-end rooms: each names the user
 * in its basic credential and is signed with the device identity key (the
 * server refuses any other). The private parts stay here, so a Welcome made
 * for any of them can be opened; they live as long as the client.
 */
export class DeviceKeyPackages {
  readonly #held: HeldKeyPackage[] = [];
  /** Set once this connection published its KeyPackages. */
  #published: Promise<void> | undefined;

  constructor(private readonly identity: () => RawKeyPair) {}

  get held(): readonly HeldKeyPackage[] {
    return this.#held;
  }

  /** A new connection: the next {@link publishOnce} publishes again. */
  connectionOpened(): void {
    this.#published = undefined;
  }

  /**
   * Makes `count` KeyPackages and publishes them (the first as the last-resort one) with `send`,
   * once per connection; a failed publication is tried again on the next call.
   */
  publishOnce(userId: string, count: number, send: (payload: { keyPackages: string[]; lastResort: string | undefined }) => Promise<unknown>): Promise<void> {
    this.#published ??= (async () => {
      const [lastResort, ...fresh] = (await this.make(userId, count)).map(encodeKeyPackage);
      await send({ keyPackages: fresh, lastResort });
    })().catch((error: unknown) => {
      this.#published = undefined;
      throw error;
    });
    return this.#published;
  }

  /** Makes `count` KeyPackages for `userId`, kept here; resolves with them. */
  async make(userId: string, count: number): Promise<HeldKeyPackage[]> {
    const impl = await mlsCipherSuite();
    const identity = this.identity();
    const made: HeldKeyPackage[] = [];
    for (let index = 0; index < count; index += 1) {
      const held = await generateKeyPackageWithKey(
        { credentialType: 'basic', identity: utf8.encode(userId) },
        defaultCapabilities(),
        defaultLifetime,
        [],
        { signKey: identity.secretKey, publicKey: identity.publicKey },
        impl,
      );
      this.#held.push(held);
      made.push(held);
    }
    return made;
  }
}

/** A KeyPackage as it is published: a base64 `MLSMessage`. */
export function encodeKeyPackage(held: HeldKeyPackage): string {
  return toBase64(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: held.publicPackage }));
}
