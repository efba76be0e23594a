import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  InvalidOptionsError,
  NodeCryptoProvider,
  SealedError,
  SecurityLevel,
  UsageErrorCode,
  loadOrCreateServerIdentity,
  parseSecurityLevels,
} from '../../src/index.ts';
import { createClientHello } from '../../src/crypto/index.ts';
import { IllegalTransitionError } from '../../src/utils/state-machine.ts';
import { ClientStateMachine, SealedClientState } from '../../src/client/client-state.ts';

const crypto = new NodeCryptoProvider();

/** Runs `act` and returns what it threw. */
function thrownBy(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}

describe('errors the library throws at its caller', () => {
  it.each([
    ['an unknown security level', () => parseSecurityLevels('encrypted,bogus'), UsageErrorCode.INVALID_SECURITY_LEVEL],
    ['an empty list of levels', () => parseSecurityLevels(''), UsageErrorCode.INVALID_SECURITY_LEVEL],
    [
      'a handshake at level none',
      () => createClientHello({ crypto, level: SecurityLevel.NONE, nowMs: 0 }),
      UsageErrorCode.INVALID_SECURITY_LEVEL,
    ],
    [
      'an illegal state transition',
      () => new ClientStateMachine().transition(SealedClientState.OPEN),
      UsageErrorCode.ILLEGAL_TRANSITION,
    ],
    [
      'a file that is not an identity file',
      () => {
        const path = join(mkdtempSync(join(tmpdir(), 'sealed-identity-')), 'identity.json');
        writeFileSync(path, '{"not":"an identity"}', { mode: 0o600 });
        return loadOrCreateServerIdentity(path, crypto);
      },
      UsageErrorCode.INVALID_IDENTITY_FILE,
    ],
    [
      'an identity file others can read',
      () => {
        const path = join(mkdtempSync(join(tmpdir(), 'sealed-identity-')), 'identity.json');
        loadOrCreateServerIdentity(path, crypto);
        chmodSync(path, 0o644);
        return loadOrCreateServerIdentity(path, crypto);
      },
      UsageErrorCode.IDENTITY_FILE_EXPOSED,
    ],
  ])('%s is a SealedError with a stable code', (_case, act, code) => {
    const error = thrownBy(act);
    expect(SealedError.is(error)).toBe(true);
    expect(error).toMatchObject({ code });
  });

  it('creates an identity file with mode 600 and loads the same key from it again', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sealed-identity-')), 'identity.json');
    const created = loadOrCreateServerIdentity(path, crypto);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadOrCreateServerIdentity(path, crypto).publicKey).toEqual(created.publicKey);
  });

  it('keeps the specific classes as SealedErrors', () => {
    expect(new InvalidOptionsError('x')).toMatchObject({ code: UsageErrorCode.INVALID_OPTIONS, name: 'InvalidOptionsError' });
    expect(SealedError.is(new IllegalTransitionError('A', 'B'))).toBe(true);
  });
});
