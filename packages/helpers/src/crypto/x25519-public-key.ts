import { CryptoSizes } from './crypto-provider.ts';
import { constantTimeEqual } from './bytes.ts';

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g)!.map((byte) => parseInt(byte, 16)));
}

/**
 * Encodings of the points of order 1, 2, 4 and 8 on Curve25519 and of p-1,
 * p and p+1 (which reduce to them), with the top bit cleared. Any of them
 * makes the shared secret independent of our secret key.
 */
const LOW_ORDER_POINTS: readonly Uint8Array[] = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map(hex);

const TOP_BIT_MASK = 0x7f;

/** Why a peer's X25519 public key was refused. */
export type X25519KeyProblem = 'WRONG_LENGTH' | 'LOW_ORDER';

/**
 * Checks a peer's X25519 public key before any derivation: 32 bytes, and not
 * a low-order point (RFC 7748 §6.1 leaves the check to the protocol).
 *
 * @returns `undefined` for an acceptable key, otherwise the problem.
 */
export function checkX25519PublicKey(publicKey: Uint8Array): X25519KeyProblem | undefined {
  if (publicKey.length !== CryptoSizes.X25519_KEY_BYTES) return 'WRONG_LENGTH';
  // RFC 7748 §5: the top bit of the u-coordinate is ignored.
  const masked = publicKey.slice();
  masked[masked.length - 1]! &= TOP_BIT_MASK;
  let lowOrder = false;
  for (const point of LOW_ORDER_POINTS) lowOrder = constantTimeEqual(masked, point) || lowOrder;
  return lowOrder ? 'LOW_ORDER' : undefined;
}
