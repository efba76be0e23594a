import { concatBytes, isAllZero, utf8Encode, zeroize } from './bytes.ts';
import { CryptoSizes, type CryptoProvider } from './crypto-provider.ts';
import { HandshakeLabel } from './handshake-transcript.ts';
import { checkX25519PublicKey } from './x25519-public-key.ts';

/**
 * The nonce of the credentials AEAD. A fixed nonce is safe here because the
 * key is used once: it comes from the client's fresh ephemeral key, and the
 * hello that carries it is refused if replayed.
 */
const CREDENTIALS_NONCE = new Uint8Array(CryptoSizes.GCM_NONCE_BYTES);

/**
 * Runs `use` with the one-use AES-256-GCM key of a hello's credentials,
 * `HKDF-SHA-256(ikm = X25519(e, S), salt = SHA-256(proof), info = label || server identity)`,
 * where `S` is the server identity key on the Montgomery curve and `proof`
 * is what the client signs in its hello (docs/protocol.md); then zeroes the
 * key and the shared secret, whatever `use` did.
 */
async function withCredentialsKey<T>(
  crypto: CryptoProvider,
  shared: Uint8Array,
  proof: Uint8Array,
  serverIdentity: Uint8Array,
  use: (key: Uint8Array) => T | Promise<T>,
): Promise<T> {
  const info = concatBytes(utf8Encode(HandshakeLabel.CREDENTIALS), serverIdentity);
  const key = crypto.hkdfSha256(shared, crypto.sha256(proof), info, CryptoSizes.AES256_KEY_BYTES);
  try {
    return await use(key);
  } finally {
    zeroize(shared);
    zeroize(key);
  }
}

/**
 * Seals `credentials` to the server's Ed25519 identity key with the client's
 * ephemeral X25519 secret (the Noise NK pattern `-> e, es`): only the holder
 * of the server's identity secret can open them, and they are bound to the
 * hello whose client proof is `proof` (it is the AAD).
 *
 * @throws Error when `serverIdentity` is not an Ed25519 public key.
 */
export async function sealCredentials(params: {
  crypto: CryptoProvider;
  ephemeralSecret: Uint8Array;
  serverIdentity: Uint8Array;
  proof: Uint8Array;
  credentials: Uint8Array;
}): Promise<Uint8Array> {
  const { crypto, proof } = params;
  const shared = crypto.x25519(params.ephemeralSecret, crypto.ed25519PublicToX25519(params.serverIdentity));
  return withCredentialsKey(crypto, shared, proof, params.serverIdentity, (key) =>
    crypto.aesGcmSeal(key, CREDENTIALS_NONCE, params.credentials, proof),
  );
}

/**
 * Opens what {@link sealCredentials} sealed, on the server: `identitySecret`
 * is the server identity's X25519 secret (`ed25519SecretToX25519` of its
 * seed). `undefined` for a low-order ephemeral key, a tag that does not
 * verify, or anything sealed to another key or for another hello.
 */
export async function openCredentials(params: {
  crypto: CryptoProvider;
  identitySecret: Uint8Array;
  serverIdentity: Uint8Array;
  clientEphemeral: Uint8Array;
  proof: Uint8Array;
  sealed: Uint8Array;
}): Promise<Uint8Array | undefined> {
  const { crypto, proof } = params;
  if (checkX25519PublicKey(params.clientEphemeral)) return undefined;
  const shared = crypto.x25519(params.identitySecret, params.clientEphemeral);
  if (isAllZero(shared)) return undefined;
  return withCredentialsKey(crypto, shared, proof, params.serverIdentity, (key) =>
    crypto.aesGcmOpen(key, CREDENTIALS_NONCE, params.sealed, proof),
  );
}
