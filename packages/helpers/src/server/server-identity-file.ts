import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { constantTimeEqual, fromBase64, toBase64 } from '../crypto/bytes.ts';
import type { CryptoProvider, RawKeyPair } from '../crypto/crypto-provider.ts';
import { NodeCryptoProvider } from '../crypto/node-crypto-provider.ts';
import { SealedError } from '../protocol/sealed-error.ts';
import { UsageErrorCode } from '../protocol/usage-error-codes.ts';

const IDENTITY_FILE_TYPE = 'sealed-ed25519-identity';
/** Owner read and write only: the file holds a secret key. */
const IDENTITY_FILE_MODE = 0o600;
/** The permission bits of group and others: none may be set on an identity file. */
const GROUP_AND_OTHER_BITS = 0o077;

interface IdentityFile {
  type: string;
  secretKey: string;
  publicKey: string;
}

/**
 * Reads the server's Ed25519 identity from `path`, or creates one there
 * (mode 0600) when the file does not exist, so clients that pinned the key
 * keep trusting the server across restarts. On POSIX systems an existing
 * file must not be readable or writable by group or others.
 *
 * @throws SealedError `IDENTITY_FILE_EXPOSED` when group or others have any permission on the file (`chmod 600` it, and consider the key leaked if others could read it).
 * @throws SealedError `INVALID_IDENTITY_FILE` when the file exists but is not a valid identity.
 */
export function loadOrCreateServerIdentity(path: string, crypto: CryptoProvider = new NodeCryptoProvider()): RawKeyPair {
  if (!existsSync(path)) {
    const identity = crypto.ed25519KeyPair();
    const file: IdentityFile = {
      type: IDENTITY_FILE_TYPE,
      secretKey: toBase64(identity.secretKey),
      publicKey: toBase64(identity.publicKey),
    };
    writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`, { mode: IDENTITY_FILE_MODE, flag: 'wx' });
    return identity;
  }
  const mode = statSync(path).mode;
  if (process.platform !== 'win32' && (mode & GROUP_AND_OTHER_BITS) !== 0) {
    const shown = (mode & 0o777).toString(8);
    throw new SealedError(UsageErrorCode.IDENTITY_FILE_EXPOSED, `${path} holds the server's secret key but has mode ${shown}: run chmod 600 on it`);
  }
  const file = JSON.parse(readFileSync(path, 'utf8')) as Partial<IdentityFile>;
  const secretKey = typeof file.secretKey === 'string' ? fromBase64(file.secretKey) : undefined;
  const publicKey = typeof file.publicKey === 'string' ? fromBase64(file.publicKey) : undefined;
  if (file.type !== IDENTITY_FILE_TYPE || secretKey?.length !== 32 || !publicKey) {
    throw new SealedError(UsageErrorCode.INVALID_IDENTITY_FILE, `${path} is not a Sealed server identity file`);
  }
  if (!constantTimeEqual(crypto.ed25519PublicKey(secretKey), publicKey)) {
    throw new SealedError(UsageErrorCode.INVALID_IDENTITY_FILE, `${path}: the public key does not belong to the secret key`);
  }
  return { secretKey, publicKey };
}
