import { describe, expect, it } from 'vitest';
import { RECONNECT_DEFAULTS, reconnectDelay } from './reconnect-policy.ts';

describe('reconnectDelay', () => {
  const policy = { ...RECONNECT_DEFAULTS, initialDelayMs: 100, maxDelayMs: 1_000, factor: 2, jitter: 0.5 };

  it('doubles from the initial delay without jitter', () => {
    expect([0, 1, 2, 3].map((attempt) => reconnectDelay(policy, attempt, () => 0))).toEqual([100, 200, 400, 800]);
  });

  it('caps at the maximum delay', () => {
    expect(reconnectDelay(policy, 10, () => 0)).toBe(1_000);
  });

  it('takes off at most the jitter share', () => {
    expect(reconnectDelay(policy, 0, () => 1)).toBe(50);
  });
});
