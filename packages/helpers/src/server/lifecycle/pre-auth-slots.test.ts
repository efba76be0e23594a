import { describe, expect, it } from 'vitest';
import { PreAuthSlots } from './pre-auth-slots.ts';

describe('PreAuthSlots', () => {
  it('refuses an address past its share, and the server past its total, until slots come back', () => {
    const slots = new PreAuthSlots({ maxUnauthenticated: 3, maxUnauthenticatedPerAddress: 2 });
    const first = slots.take('10.0.0.1');
    const second = slots.take('10.0.0.1');
    expect(slots.take('10.0.0.1')).toEqual({ ok: false, code: 'ADDRESS_FULL' });
    const third = slots.take('10.0.0.2');
    expect(slots.take('10.0.0.3')).toEqual({ ok: false, code: 'SERVER_FULL' });
    if (!first.ok || !second.ok || !third.ok) throw new Error('a slot was refused');
    first.release();
    first.release();
    expect(slots.taken).toBe(2);
    expect(slots.take('10.0.0.1').ok).toBe(true);
  });
});
