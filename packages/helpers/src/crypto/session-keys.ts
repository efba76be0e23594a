import type { AeadSuite } from './aead-suite.ts';
import type { CryptoProvider } from './crypto-provider.ts';
import { deriveTrafficKeys, resumptionSecret } from './key-schedule.ts';
import { Direction, FrameKind, SecureChannel, type RekeyPolicy } from './secure-channel.ts';
import { SecurityLevel } from './security-level.ts';

/** What a finished handshake (full or resumed) knows when it makes its keys. */
export interface SessionKeyParams {
  crypto: CryptoProvider;
  /** The direction this side sends in. */
  sendDirection: Direction;
  /** The shared secret of the exchange (a resumption: the exchange then the ticket secret). */
  keyMaterial: Uint8Array;
  /** The session hash SH. */
  session: Uint8Array;
  level: SecurityLevel;
  suite: AeadSuite;
  rekey?: RekeyPolicy;
  onRekey?: () => void;
  nowMs: number;
}

/** A session's channel, and the secret its resumption tickets come from (the caller zeroes it). */
export interface SessionKeys {
  channel: SecureChannel;
  resumptionSecret: Uint8Array;
}

/**
 * The traffic keys and the resumption secret of a session, both from the
 * key material with SH as salt, and the channel that runs on the keys: it
 * encrypts at level `encrypted` and only authenticates at `authenticated`.
 */
export function establishSession(params: SessionKeyParams): SessionKeys {
  const { crypto, keyMaterial, session } = params;
  const keys = deriveTrafficKeys(crypto, keyMaterial, session);
  const sendsToServer = params.sendDirection === Direction.CLIENT_TO_SERVER;
  const channel = new SecureChannel({
    crypto,
    sendDirection: params.sendDirection,
    sendKey: sendsToServer ? keys.clientToServer : keys.serverToClient,
    receiveKey: sendsToServer ? keys.serverToClient : keys.clientToServer,
    sessionHash: session,
    kind: params.level === SecurityLevel.ENCRYPTED ? FrameKind.ENCRYPTED : FrameKind.AUTHENTICATED,
    rekey: params.rekey,
    onRekey: params.onRekey,
    suite: params.suite,
    nowMs: params.nowMs,
  });
  return { channel, resumptionSecret: resumptionSecret(crypto, keyMaterial, session) };
}
