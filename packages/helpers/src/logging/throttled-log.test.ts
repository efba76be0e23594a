import { afterEach, describe, expect, it, vi } from 'vitest';
import { ThrottledLog, errorKind } from './throttled-log.ts';
import { SealedError } from '../protocol/sealed-error.ts';
import { UsageErrorCode } from '../protocol/usage-error-codes.ts';
import { capturingLogger } from '../../test/support/capturing-logger.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('ThrottledLog', () => {
  it('logs the first event of each kind and reason at once, and the rest as one summary when the window ends', () => {
    vi.useFakeTimers();
    const { logger, lines } = capturingLogger();
    const log = new ThrottledLog({ logger, intervalMs: 1_000 });
    for (let n = 0; n < 500; n += 1) log.note('frame rejected', 'INVALID_JSON', { clientId: `c${n}` });
    log.note('frame rejected', 'INVALID_EVENT');
    log.note('upgrade refused', '429');
    expect(lines.map((line) => [line.kind, line.reason, line.clientId])).toEqual([
      ['frame rejected', 'INVALID_JSON', 'c0'],
      ['frame rejected', 'INVALID_EVENT', undefined],
      ['upgrade refused', '429', undefined],
    ]);
    vi.advanceTimersByTime(1_000);
    expect(lines.slice(3)).toEqual([expect.objectContaining({ level: 40, kind: 'frame rejected', counts: { INVALID_JSON: 500 }, windowMs: 1_000 })]);
    // A new window: the first event is logged again.
    log.note('frame rejected', 'INVALID_JSON');
    expect(lines).toHaveLength(5);
    log.stop();
  });

  it('writes the open window on stop, arms no timer afterwards, and logs later events at debug only', () => {
    vi.useFakeTimers();
    const { logger, lines } = capturingLogger();
    const log = new ThrottledLog({ logger, intervalMs: 60_000 });
    log.note('bus envelope dropped', 'BAD_MAC');
    log.note('bus envelope dropped', 'BAD_MAC');
    log.stop();
    expect(lines.at(-1)).toMatchObject({ kind: 'bus envelope dropped', counts: { BAD_MAC: 2 } });
    log.note('bus envelope dropped', 'BAD_MAC');
    expect(lines.at(-1)).toMatchObject({ level: 20, reason: 'BAD_MAC' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('names errors by SealedError code, else by their name', () => {
    expect(errorKind(new SealedError(UsageErrorCode.CHANNEL_CLOSED, 'closed'))).toBe('CHANNEL_CLOSED');
    expect(errorKind(new TypeError('x'))).toBe('TypeError');
    expect(errorKind('oops')).toBe('string');
  });
});
