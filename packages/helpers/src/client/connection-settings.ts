import type { AeadSuite } from '../crypto/aead-suite.ts';
import type { HeldTicket } from '../crypto/client-resumption.ts';
import type { CryptoProvider, RawKeyPair } from '../crypto/crypto-provider.ts';
import type { PinStore } from '../crypto/pin-store.ts';
import type { RekeyPolicy } from '../crypto/secure-channel.ts';
import type { SecurityLevel } from '../crypto/security-level.ts';
import type { CredentialsSource } from './credentials-source.ts';
import { SEALED_CLIENT_DEFAULTS } from './sealed-client-defaults.ts';
import type { SealedClientOptions } from './sealed-client-options.ts';

/** What one connection needs to authenticate and run the handshake. */
export interface ClientConnectionSettings {
  crypto: CryptoProvider;
  level: SecurityLevel;
  /** The client's identity key pair, made on first use. */
  identity: () => RawKeyPair;
  credentials: CredentialsSource;
  /** How long credentials produced asynchronously may take; 0: no limit. */
  credentialsTimeoutMs: number;
  suites: readonly AeadSuite[] | undefined;
  serverKey: string | undefined;
  pins: PinStore;
  pinName: string;
  rekey: RekeyPolicy | undefined;
  maxFrameBytes: number;
  now: () => number;
  /** Takes the ticket to present in this connection's hello, if there is one; it is presented once. */
  takeTicket: () => HeldTicket | undefined;
  /** Emits that may go right behind the credentials, before the server has opened the connection. */
  maxEarlyEmits: number;
  /** Bytes on the wire those early emits may take together. */
  maxEarlyBytes: number;
  /** Largest `authenticate` frame carried in the upgrade request; 0: always sent as a frame. */
  maxUpgradeFrameBytes: number;
  /** Whether the server (or a proxy before it) was found to refuse the subprotocols that carry the frame, for the client's life. */
  upgradeFrames: UpgradeFrameRefusal;
}

/** What a client learned about carrying the first frame in the upgrade, kept across its connections. */
export interface UpgradeFrameRefusal {
  refused: boolean;
}

/** What the client keeps across connections and hands each one: its provider, level, identity, pins, clock, tickets and what it learned of the upgrade. */
export type ClientConnectionParts = Pick<ClientConnectionSettings, 'crypto' | 'level' | 'identity' | 'pins' | 'now' | 'takeTicket' | 'upgradeFrames'>;

/**
 * Checks the byte and count budgets of a connection's first frames and the
 * credentials' deadline: one that is not a non-negative integer (`NaN`, say)
 * would let every queued emit go early, or any frame ride in the upgrade.
 *
 * @throws RangeError naming the option.
 */
export function checkConnectionOptions(
  options: Pick<SealedClientOptions, 'maxEarlyEmits' | 'maxEarlyBytes' | 'maxUpgradeFrameBytes' | 'credentialsTimeoutMs'>,
): void {
  for (const name of ['maxEarlyEmits', 'maxEarlyBytes', 'maxUpgradeFrameBytes', 'credentialsTimeoutMs'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new RangeError(`SealedClient option "${name}" must be a non-negative integer, got ${String(value)}`);
    }
  }
}

/** A connection's settings: the client's options, their defaults where unset, and the parts the client keeps. */
export function connectionSettings(options: SealedClientOptions, parts: ClientConnectionParts): ClientConnectionSettings {
  return {
    ...parts,
    credentials: options.credentials,
    credentialsTimeoutMs: options.credentialsTimeoutMs ?? SEALED_CLIENT_DEFAULTS.credentialsTimeoutMs,
    suites: options.suites,
    serverKey: options.serverKey,
    pinName: options.pinName ?? new URL(options.url).host,
    rekey: options.rekey,
    maxFrameBytes: options.maxFrameBytes ?? SEALED_CLIENT_DEFAULTS.maxFrameBytes,
    maxEarlyEmits: options.maxEarlyEmits ?? SEALED_CLIENT_DEFAULTS.maxEarlyEmits,
    maxEarlyBytes: options.maxEarlyBytes ?? SEALED_CLIENT_DEFAULTS.maxEarlyBytes,
    maxUpgradeFrameBytes: options.maxUpgradeFrameBytes ?? SEALED_CLIENT_DEFAULTS.maxUpgradeFrameBytes,
  };
}
