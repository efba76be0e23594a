import type { AeadSuite } from './aead-suite.ts';
import { zeroize } from './bytes.ts';
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
  /** The peer's identity key, when the session keeps it for its life: copied beside the session's values. */
  peerIdentity?: Uint8Array;
}

/** A session's channel, and the secret its resumption tickets come from (the caller zeroes it). */
export interface SessionKeys {
  channel: SecureChannel;
  resumptionSecret: Uint8Array;
  /** The copy of `peerIdentity`, when one was given. */
  peerIdentity: Uint8Array | undefined;
}

const NO_BYTES = new Uint8Array(0);

/**
 * The traffic keys and the resumption secret of a session, both from the
 * key material with SH as salt, and the channel that runs on the keys: it
 * encrypts at level `encrypted` and only authenticates at `authenticated`.
 */
export function establishSession(params: SessionKeyParams & { peerIdentity: Uint8Array }): SessionKeys & { peerIdentity: Uint8Array };
export function establishSession(params: SessionKeyParams): SessionKeys;
export function establishSession(params: SessionKeyParams): SessionKeys {
  const { crypto, keyMaterial, session } = params;
  const derived = deriveTrafficKeys(crypto, keyMaterial, session);
  const derivedResumption = resumptionSecret(crypto, keyMaterial, session);
  const [clientToServer, serverToClient, sessionHash, resumption, peerIdentity] = sideBySide([
    derived.clientToServer,
    derived.serverToClient,
    session,
    derivedResumption,
    params.peerIdentity ?? NO_BYTES,
  ] as const);
  zeroize(derived.clientToServer);
  zeroize(derived.serverToClient);
  zeroize(derivedResumption);
  const sendsToServer = params.sendDirection === Direction.CLIENT_TO_SERVER;
  const channel = new SecureChannel({
    crypto,
    sendDirection: params.sendDirection,
    sendKey: sendsToServer ? clientToServer : serverToClient,
    receiveKey: sendsToServer ? serverToClient : clientToServer,
    sessionHash: sessionHash,
    kind: params.level === SecurityLevel.ENCRYPTED ? FrameKind.ENCRYPTED : FrameKind.AUTHENTICATED,
    rekey: params.rekey,
    onRekey: params.onRekey,
    suite: params.suite,
    nowMs: params.nowMs,
  });
  return { channel, resumptionSecret: resumption, peerIdentity: params.peerIdentity && peerIdentity };
}

/**
 * Copies of `parts`, as views side by side in one new buffer. A session
 * lives as long as its connection, and each small buffer of its own costs a
 * backing store outside the JS heap besides its object: one buffer for the
 * session's four values (and the peer's identity key) instead of four or five. Each view can still be zeroed on
 * its own, and a rekey moves its direction to a key of its own.
 */
function sideBySide<Parts extends readonly Uint8Array[]>(parts: Parts): { [Index in keyof Parts]: Uint8Array } {
  let total = 0;
  for (const part of parts) total += part.length;
  const buffer = new Uint8Array(total);
  let at = 0;
  const views = parts.map((part) => {
    const view = buffer.subarray(at, at + part.length);
    view.set(part);
    at += part.length;
    return view;
  });
  return views as { [Index in keyof Parts]: Uint8Array };
}
