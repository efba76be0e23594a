import { describe, expect, it } from 'vitest';
import { CloseCode } from '../protocol/close-codes.ts';
import { decideAfterClose } from './close-decision.ts';
import { RECONNECT_DEFAULTS } from './reconnect-policy.ts';
import { ClientFailureCode } from './sealed-client-error.ts';

const ABNORMAL = 1006;

describe('decideAfterClose', () => {
  it('reconnects after a dropped connection or a crypto failure, while attempts are left', () => {
    expect(decideAfterClose({ code: ABNORMAL, failure: undefined, reconnect: RECONNECT_DEFAULTS, attempt: 3 })).toBe('RECONNECT');
    expect(decideAfterClose({ code: CloseCode.CRYPTO_FAILURE, failure: ClientFailureCode.CRYPTO_FAILURE, reconnect: RECONNECT_DEFAULTS, attempt: 0 })).toBe(
      'RECONNECT',
    );
    expect(decideAfterClose({ code: ABNORMAL, failure: undefined, reconnect: { ...RECONNECT_DEFAULTS, maxAttempts: 3 }, attempt: 3 })).toBe('GIVE_UP');
    expect(decideAfterClose({ code: ABNORMAL, failure: undefined, reconnect: { ...RECONNECT_DEFAULTS, enabled: false }, attempt: 0 })).toBe('GIVE_UP');
  });

  it('gives up on a refusal, and connects again at once with the full handshake when a resumption was refused', () => {
    expect(decideAfterClose({ code: CloseCode.AUTH_FAILED, failure: ClientFailureCode.AUTH_FAILED, reconnect: RECONNECT_DEFAULTS, attempt: 0 })).toBe('GIVE_UP');
    expect(decideAfterClose({ code: ABNORMAL, failure: ClientFailureCode.SERVER_KEY_MISMATCH, reconnect: RECONNECT_DEFAULTS, attempt: 0 })).toBe('GIVE_UP');
    expect(
      decideAfterClose({ code: CloseCode.ENCRYPTION_REQUIRED, failure: ClientFailureCode.RESUMPTION_REFUSED, reconnect: { ...RECONNECT_DEFAULTS, enabled: false }, attempt: 0 }),
    ).toBe('FULL_HANDSHAKE_NOW');
  });
});
