import { SealedError } from '../protocol/sealed-error.ts';
import { UsageErrorCode } from '../protocol/usage-error-codes.ts';

/**
 * How much a connection is protected, from least to most:
 *
 * - `none`: an authenticated application user, plaintext frames;
 * - `authenticated`: plus a handshake in which the server proves its identity
 *   key and the client proves possession of its own (pinned per user);
 * - `encrypted`: plus AES-256-GCM on every frame in both directions.
 */
export const SecurityLevel = {
  NONE: 'none',
  AUTHENTICATED: 'authenticated',
  ENCRYPTED: 'encrypted',
} as const;

export type SecurityLevel = (typeof SecurityLevel)[keyof typeof SecurityLevel];

/** The byte that stands for each level in handshake transcripts; also its rank. */
export const SECURITY_LEVEL_CODES: Readonly<Record<SecurityLevel, number>> = Object.freeze({
  none: 0,
  authenticated: 1,
  encrypted: 2,
});

const LEVELS: ReadonlySet<string> = new Set(Object.values(SecurityLevel));

export function isSecurityLevel(value: unknown): value is SecurityLevel {
  return typeof value === 'string' && LEVELS.has(value);
}

/** One bit per level, as the transcript carries the set of levels the server accepts. */
export function securityLevelMask(levels: readonly SecurityLevel[]): number {
  let mask = 0;
  for (const level of levels) mask |= 1 << SECURITY_LEVEL_CODES[level];
  return mask;
}

/**
 * Reads a comma-separated list such as `"encrypted,authenticated"`.
 *
 * @throws Error naming the first unknown level.
 */
export function parseSecurityLevels(list: string): SecurityLevel[] {
  const levels = list
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  for (const level of levels) {
    if (!isSecurityLevel(level)) throw new SealedError(UsageErrorCode.INVALID_SECURITY_LEVEL, `Unknown security level "${level}" (known: ${[...LEVELS].join(', ')})`);
  }
  if (levels.length === 0) throw new SealedError(UsageErrorCode.INVALID_SECURITY_LEVEL, 'At least one security level is required');
  return [...new Set(levels)] as SecurityLevel[];
}
