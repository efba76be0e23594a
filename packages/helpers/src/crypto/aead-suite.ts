/**
 * The AEADs a secure channel can run. Both use 256-bit keys, 96-bit nonces
 * and 128-bit tags, so the frame layout is the same; the choice is made in
 * the handshake and bound into the signed transcript.
 */
export const AeadSuite = {
  /** AES-256-GCM (NIST SP 800-38D): native in every browser's WebCrypto. */
  AES_256_GCM: 'aes-256-gcm',
  /** ChaCha20-Poly1305 (RFC 8439): four to five times cheaper per message on the server through libsodium. */
  CHACHA20_POLY1305: 'chacha20-poly1305',
} as const;

export type AeadSuite = (typeof AeadSuite)[keyof typeof AeadSuite];

/** The byte that stands for each suite in transcripts (and its bit in offer masks). */
export const AEAD_SUITE_CODES: Readonly<Record<AeadSuite, number>> = Object.freeze({
  'aes-256-gcm': 1,
  'chacha20-poly1305': 2,
});

/** What the server picks when the client offers it: cheapest first. */
export const SERVER_SUITE_PREFERENCE: readonly AeadSuite[] = Object.freeze([AeadSuite.CHACHA20_POLY1305, AeadSuite.AES_256_GCM]);

/** What a client offers by default. */
export const CLIENT_SUITE_OFFER: readonly AeadSuite[] = Object.freeze([AeadSuite.AES_256_GCM, AeadSuite.CHACHA20_POLY1305]);

const SUITES: ReadonlySet<string> = new Set(Object.values(AeadSuite));

export function isAeadSuite(value: unknown): value is AeadSuite {
  return typeof value === 'string' && SUITES.has(value);
}

/** One bit per suite: how transcripts and client proofs carry an offer. */
export function aeadSuiteMask(suites: readonly AeadSuite[]): number {
  let mask = 0;
  for (const suite of suites) mask |= 1 << AEAD_SUITE_CODES[suite];
  return mask;
}

/** The first suite of `preference` that `offered` contains, if any. */
export function chooseAeadSuite(preference: readonly AeadSuite[], offered: readonly AeadSuite[]): AeadSuite | undefined {
  return preference.find((suite) => offered.includes(suite));
}
