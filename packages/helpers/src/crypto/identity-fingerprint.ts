import { fromBase64 } from './bytes.ts';
import type { CryptoProvider } from './crypto-provider.ts';

const FINGERPRINT_BYTES = 16;
const GROUP_HEX_CHARS = 4;

/**
 * A short, readable fingerprint of a public key for people to compare:
 * the first 16 bytes of its SHA-256 as hex in groups of four
 * (`3f2a 9c01 ...`).
 */
export function identityFingerprint(crypto: CryptoProvider, publicKey: Uint8Array): string {
  const digest = crypto.sha256(publicKey).subarray(0, FINGERPRINT_BYTES);
  const hex = [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return hex.match(new RegExp(`.{${GROUP_HEX_CHARS}}`, 'g'))!.join(' ');
}

/** A device with the fingerprint of its identity key (base64 `device`), as people compare it. */
export function withFingerprint<Device extends { device: string }>(crypto: CryptoProvider, device: Device): Device & { fingerprint: string } {
  const key = fromBase64(device.device);
  return { ...device, fingerprint: key ? identityFingerprint(crypto, key) : '' };
}
