import { getCiphersuiteFromName, getCiphersuiteImpl, nobleCryptoProvider, type CiphersuiteImpl, type CiphersuiteName } from 'ts-mls';

/**
 * The MLS (RFC 9420) cipher suite of end-to-end rooms: X25519, AES-128-GCM,
 * SHA-256 and Ed25519, the curve of the device identity keys, so a device's
 * MLS leaf is signed with the key its fingerprint is made of.
 */
export const MLS_CIPHER_SUITE: CiphersuiteName = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519';

let suite: Promise<CiphersuiteImpl> | undefined;

/** The suite's implementation (ts-mls on `@noble`, the same in Node and in browsers), made once. */
export function mlsCipherSuite(): Promise<CiphersuiteImpl> {
  suite ??= getCiphersuiteImpl(getCiphersuiteFromName(MLS_CIPHER_SUITE), nobleCryptoProvider);
  return suite;
}
