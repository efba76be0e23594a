import type { AeadSuite } from '../crypto/aead-suite.ts';
import { utf8Decode } from '../crypto/bytes.ts';
import type { CryptoProvider, RawKeyPair } from '../crypto/crypto-provider.ts';
import { HANDSHAKE_FIELD, helloField } from '../crypto/handshake-messages.ts';
import { identityFingerprint } from '../crypto/identity-fingerprint.ts';
import { NodeCryptoProvider } from '../crypto/node-crypto-provider.ts';
import { InMemoryPinStore, type PinStore } from '../crypto/pin-store.ts';
import { ReplayGuard } from '../crypto/replay-guard.ts';
import type { RekeyPolicy } from '../crypto/secure-channel.ts';
import { respondToClientHello } from '../crypto/server-handshake.ts';
import { SecurityLevel } from '../crypto/security-level.ts';
import type { Logger } from '../logging/logger.ts';
import type { HandshakeFn, InboundTransformer, OutboundTransformer } from '../server/encryption-hooks.ts';
import type { AuthenticateFn } from '../server/server-hooks.ts';
import { sealedCredentialsAuthenticator } from './sealed-credentials-authenticator.ts';
import { SealOnWrite } from './seal-on-write.ts';
import { SecureKitMetrics, type SecureKitMetricsSnapshot } from './secure-kit-metrics.ts';
import { SecureSession } from './secure-session.ts';

/** Options of {@link createSecureServerKit}. */
export interface SecureServerKitOptions {
  /** The server's long-term Ed25519 identity; clients pin its public key. */
  identity: RawKeyPair;
  /** Levels the server accepts. */
  acceptedLevels?: readonly SecurityLevel[];
  /** Client identity keys pinned per user id. */
  clientKeyPins?: PinStore;
  crypto?: CryptoProvider;
  rekey?: RekeyPolicy;
  /** AEADs the server runs, in its order of preference; ChaCha20-Poly1305 first by default (cheaper per message here). */
  suites?: readonly AeadSuite[];
  /** How far a client's clock may be from the server's, for the freshness of its hello. */
  maxClockSkewMs?: number;
  /** Most client nonces remembered against replay. */
  replayCacheSize?: number;
  /**
   * With `authenticateSealed`: refuse clients that send their credentials in
   * the clear instead of sealed to the server key (a client's first
   * connection cannot seal unless the key was configured in it).
   */
  requireSealedCredentials?: boolean;
  now?: () => number;
  logger?: Logger;
}

/** Defaults of {@link SecureServerKitOptions}. */
export const SecureKitDefaults = Object.freeze({
  ACCEPTED_LEVELS: Object.freeze([SecurityLevel.ENCRYPTED]) as readonly SecurityLevel[],
  MAX_CLOCK_SKEW_MS: 120_000,
  REPLAY_CACHE_SIZE: 100_000,
  REQUIRE_SEALED_CREDENTIALS: false,
});

/** The hooks to bind, plus what to tell people about the server's identity. */
export interface SecureServerKit {
  handshakeFn: HandshakeFn;
  outboundTransformer: OutboundTransformer;
  inboundTransformer: InboundTransformer;
  /**
   * Wraps the application's `authenticateFn` so that credentials a client
   * sealed to this server's key (`sealCredentials` in the SDK) are opened
   * and passed to it as `data`; bind the wrapped function as the server's
   * `authenticateFn`.
   */
  authenticateSealed: (authenticate: AuthenticateFn) => AuthenticateFn;
  /** True when only `encrypted` is accepted: pass it as the server's `requireEncryption`. */
  requireEncryption: boolean;
  acceptedLevels: readonly SecurityLevel[];
  /** Human-comparable fingerprint of the identity public key. */
  identityFingerprint: string;
  /** What the kit has counted: handshakes, refusals by reason, rekeys, refused frames, sealed credentials. */
  getMetrics(): SecureKitMetricsSnapshot;
}

/**
 * The default secure channel for a Sealed server: a handshake hook that runs
 * the signed X25519 exchange of docs/protocol.md, and transformers that seal
 * and open frames with each client's own keys. Bind the three
 * hooks (and `requireEncryption`) and clients of the Sealed SDK connect
 * encrypted.
 *
 * @example
 * const kit = createSecureServerKit({ identity: loadOrCreateServerIdentity('identity.json') });
 * new WebSocketServerHelper({ server, authenticateFn, ...kit });
 */
export function createSecureServerKit(options: SecureServerKitOptions): SecureServerKit {
  const crypto = options.crypto ?? new NodeCryptoProvider();
  const acceptedLevels = options.acceptedLevels ?? SecureKitDefaults.ACCEPTED_LEVELS;
  const maxClockSkewMs = options.maxClockSkewMs ?? SecureKitDefaults.MAX_CLOCK_SKEW_MS;
  // A hello is fresh for the skew on either side of its timestamp; remember its nonce that long.
  const replayGuard = new ReplayGuard(2 * maxClockSkewMs, options.replayCacheSize ?? SecureKitDefaults.REPLAY_CACHE_SIZE);
  const clientKeyPins = options.clientKeyPins ?? new InMemoryPinStore();
  const now = options.now ?? Date.now;
  const metrics = new SecureKitMetrics();

  const handshakeFn: HandshakeFn = async ({ clientId, userId, data }) => {
    const hello = helloField(data);
    const result = await respondToClientHello({
      crypto,
      identity: options.identity,
      acceptedLevels,
      hello,
      clientId,
      userId,
      nowMs: now(),
      maxClockSkewMs,
      replayGuard,
      clientKeyPins,
      rekey: options.rekey,
      onRekey: metrics.rekeyed,
      suites: options.suites,
    });
    if (!result.ok) {
      metrics.refused(result.code);
      options.logger?.info({ clientId, refusal: result.code }, 'handshake refused');
      return null;
    }
    metrics.handshakesCompleted += 1;
    return {
      reply: { [HANDSHAKE_FIELD]: result.reply },
      encrypted: result.level === SecurityLevel.ENCRYPTED,
      session: new SecureSession(result.level, result.channel),
    };
  };

  const outboundTransformer: OutboundTransformer = ({ client, encoded }) => {
    const channel = SecureSession.of(client.session)?.channel;
    if (!channel) return undefined;
    return channel.canSealInPlace ? new SealOnWrite(channel, encoded(), now) : channel.seal(encoded(), now());
  };

  const inboundTransformer: InboundTransformer = async ({ client, frame }) => {
    const channel = SecureSession.of(client.session)?.channel;
    // An encrypted client sends binary frames only: a text frame would be a downgrade.
    if (!channel || typeof frame === 'string') return undefined;
    const opened = await channel.open(frame);
    if (!opened.ok) {
      metrics.framesRefused += 1;
      options.logger?.info({ clientId: client.id, failure: opened.code }, 'encrypted frame refused');
      return undefined;
    }
    try {
      return utf8Decode(opened.plaintext);
    } catch {
      return undefined;
    }
  };

  const authenticateSealed = sealedCredentialsAuthenticator({
    crypto,
    identity: options.identity,
    requireSealed: options.requireSealedCredentials ?? SecureKitDefaults.REQUIRE_SEALED_CREDENTIALS,
    maxClockSkewMs,
    now,
    logger: options.logger,
    metrics,
  });

  return {
    handshakeFn,
    outboundTransformer,
    inboundTransformer,
    authenticateSealed,
    requireEncryption: acceptedLevels.length === 1 && acceptedLevels[0] === SecurityLevel.ENCRYPTED,
    acceptedLevels,
    identityFingerprint: identityFingerprint(crypto, options.identity.publicKey),
    getMetrics: () => metrics.snapshot(),
  };
}
