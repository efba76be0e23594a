import { describe, expect, it } from 'vitest';
import { AeadSuite } from '../crypto/aead-suite.ts';
import { ticketSecret } from '../crypto/key-schedule.ts';
import { NodeCryptoProvider } from '../crypto/node-crypto-provider.ts';
import { Direction } from '../crypto/secure-channel.ts';
import { SecurityLevel } from '../crypto/security-level.ts';
import { establishSession } from '../crypto/session-keys.ts';
import { SecureSession, sessionChannel } from './secure-session.ts';

const crypto = new NodeCryptoProvider();

/** A server side's session keys, from fresh key material. */
function serverKeys(): ReturnType<typeof establishSession> & { peerIdentity: Uint8Array } {
  return establishSession({
    crypto,
    sendDirection: Direction.SERVER_TO_CLIENT,
    keyMaterial: crypto.randomBytes(32),
    session: crypto.randomBytes(32),
    level: SecurityLevel.ENCRYPTED,
    suite: AeadSuite.CHACHA20_POLY1305,
    nowMs: 0,
    peerIdentity: crypto.ed25519KeyPair().publicKey,
  });
}

/** A server session as the kit makes one. */
function serverSession(): { session: SecureSession; resumptionSecret: Uint8Array } {
  const keys = serverKeys();
  const session = new SecureSession(SecurityLevel.ENCRYPTED, keys.channel, {
    resumptionSecret: keys.resumptionSecret,
    clientIdentity: keys.peerIdentity,
    suite: AeadSuite.CHACHA20_POLY1305,
  });
  return { session, resumptionSecret: keys.resumptionSecret };
}

describe('SecureSession', () => {
  it('derives ticket secrets from the resumption secret it was given', () => {
    const { session, resumptionSecret } = serverSession();
    const id = crypto.randomBytes(16);
    expect(session.ticketSecret(crypto, id)).toEqual(ticketSecret(crypto, Uint8Array.from(resumptionSecret), id));
  });

  it('zeroes the resumption secret where it lies, and closes the channel, when disposed', () => {
    const { session, resumptionSecret } = serverSession();
    expect(resumptionSecret.some((byte) => byte !== 0)).toBe(true);
    session.dispose();
    expect(resumptionSecret.every((byte) => byte === 0)).toBe(true);
    expect(sessionChannel(session)?.closed).toBe(true);
  });

  it('refuses a resumption secret of another length', () => {
    const { channel } = serverKeys();
    const basis = { resumptionSecret: new Uint8Array(16), clientIdentity: new Uint8Array(32), suite: AeadSuite.CHACHA20_POLY1305 };
    expect(() => new SecureSession(SecurityLevel.ENCRYPTED, channel, basis)).toThrow(RangeError);
  });
});
