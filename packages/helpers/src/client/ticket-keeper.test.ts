import { describe, expect, it } from 'vitest';
import type { HeldTicket } from '../crypto/client-resumption.ts';
import { TicketKeeper } from './ticket-keeper.ts';

function ticket(expiresAtMs: number): HeldTicket {
  return {
    ticket: new Uint8Array([2, 1]),
    secret: new Uint8Array(32).fill(7),
    serverIdentity: new Uint8Array(32),
    level: 'encrypted',
    suite: 'chacha20-poly1305',
    expiresAtMs,
  };
}

describe('TicketKeeper', () => {
  it('gives the newest ticket out once, and zeroes the one it replaced', () => {
    const keeper = new TicketKeeper(true, () => 0);
    const older = ticket(100);
    const newer = ticket(100);
    keeper.keep(older);
    keeper.keep(newer);
    expect(older.secret.every((byte) => byte === 0)).toBe(true);
    expect(keeper.take()).toBe(newer);
    expect(keeper.take()).toBeUndefined();
  });

  it('never gives out an expired ticket, and zeroes it', () => {
    let now = 0;
    const keeper = new TicketKeeper(true, () => now);
    const held = ticket(100);
    keeper.keep(held);
    now = 100;
    expect(keeper.take()).toBeUndefined();
    expect(held.secret.every((byte) => byte === 0)).toBe(true);
  });

  it('keeps nothing when resumption is off, and drop() forgets what it kept', () => {
    const off = new TicketKeeper(false, () => 0);
    const refused = ticket(100);
    off.keep(refused);
    expect(off.take()).toBeUndefined();
    expect(refused.secret.every((byte) => byte === 0)).toBe(true);

    const on = new TicketKeeper(true, () => 0);
    const dropped = ticket(100);
    on.keep(dropped);
    on.drop();
    expect(on.take()).toBeUndefined();
    expect(dropped.secret.every((byte) => byte === 0)).toBe(true);
  });

  it('takes back an unanswered ticket when it keeps none, and zeroes it when a newer one came meanwhile or tickets are off', () => {
    const keeper = new TicketKeeper(true, () => 0);
    const offered = ticket(100);
    keeper.keep(offered);
    expect(keeper.take()).toBe(offered);
    keeper.keepUnanswered(offered);
    expect(keeper.take()).toBe(offered);
    const newer = ticket(100);
    keeper.keep(newer);
    keeper.keepUnanswered(offered);
    expect(offered.secret.every((byte) => byte === 0)).toBe(true);
    expect(keeper.take()).toBe(newer);
    const off = new TicketKeeper(false, () => 0);
    const unanswered = ticket(100);
    off.keepUnanswered(unanswered);
    expect(unanswered.secret.every((byte) => byte === 0)).toBe(true);
    expect(off.take()).toBeUndefined();
  });
});

