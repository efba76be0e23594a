import type { AeadSuite } from '../crypto/aead-suite.ts';
import { utf8Decode, zeroize } from '../crypto/bytes.ts';
import type { CryptoProvider, RawKeyPair } from '../crypto/crypto-provider.ts';
import { HANDSHAKE_FIELD, helloField, isHelloOnly, presentsTicket, type PlaintextReplyWire } from '../crypto/handshake-messages.ts';
import { HANDSHAKE_VERSION } from '../crypto/handshake-transcript.ts';
import { identityFingerprint } from '../crypto/identity-fingerprint.ts';
import { NodeCryptoProvider } from '../crypto/node-crypto-provider.ts';
import { InMemoryPinStore, type PinStore } from '../crypto/pin-store.ts';
import { InMemoryReplayStore, type ReplayStore } from '../crypto/replay-store.ts';
import type { RekeyPolicy } from '../crypto/secure-channel.ts';
import {
  abandonServerHandshake,
  finishServerHandshake,
  respondToClientHello,
  type PendingServerHandshake,
  type ServerHelloParams,
} from '../crypto/server-handshake.ts';
import { SecurityLevel } from '../crypto/security-level.ts';
import { abandonResumption, finishResumption, respondToResumption, type PendingResumption } from '../crypto/server-resumption.ts';
import type { Logger } from '../logging/logger.ts';
import { InvalidOptionsError } from '../server/server-settings.ts';
import type {
  HandshakeChallenge,
  HandshakeFn,
  HandshakeOutcome,
  InboundTransformer,
  OutboundTransformer,
  UserRefusal,
} from '../server/encryption-hooks.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { readHandshakeCredentials } from './handshake-credentials.ts';
import { SealOnWrite } from './seal-on-write.ts';
import { SecureKitMetrics, type KitRefusal, type SecureKitMetricsSnapshot } from './secure-kit-metrics.ts';
import { SecureSession, sessionChannel } from './secure-session.ts';
import { RESUMPTION_DEFAULTS, SessionTickets, type ResumptionPolicy } from './session-tickets.ts';
import { DEVICE_DEFAULTS, DevicePins, type EnrollDeviceFn } from './device-pins.ts';

/** Options of {@link createSecureServerKit}. */
export interface SecureServerKitOptions {
  /** The server's long-term Ed25519 identity; clients pin its public key. */
  identity: RawKeyPair;
  /** Levels the server accepts. */
  acceptedLevels?: readonly SecurityLevel[];
  /** Client identity keys pinned per user id: each user's devices, one key each. */
  clientKeyPins?: PinStore;
  /**
   * Enrolls a user's further devices: without it a user has one device (its
   * first key is pinned, any other is refused with `CLIENT_KEY_MISMATCH`).
   */
  enrollDeviceFn?: EnrollDeviceFn;
  /** Devices pinned per user at most (10 by default); past it a new device is refused. */
  maxDevicesPerUser?: number;
  crypto?: CryptoProvider;
  rekey?: RekeyPolicy;
  /** AEADs the server runs, in its order of preference; ChaCha20-Poly1305 first by default (cheaper per message here). */
  suites?: readonly AeadSuite[];
  /** How far a client's clock may be from the server's, for the freshness of its hello. */
  maxClockSkewMs?: number;
  /**
   * Where client nonces are remembered against replay, for twice
   * `maxClockSkewMs`. Give every instance behind one load balancer the same
   * shared store (`RedisReplayStore`); by default each process has its own,
   * in memory, of `replayCacheSize` entries.
   */
  replayStore?: ReplayStore;
  /** Most client nonces the default in-memory replay store holds; past that, handshakes are refused until some expire. */
  replayCacheSize?: number;
  /**
   * Resumption tickets (docs/protocol.md, Resumption): on by default; a
   * ticket is taken for `ticketLifetimeMs` (2 minutes, at most twice
   * `maxClockSkewMs`, the time the replay store remembers its use), and
   * `authenticateFn` runs again on a resumed connection unless
   * `authenticateAgain` is false.
   */
  resumption?: Partial<ResumptionPolicy>;
  now?: () => number;
  logger?: Logger;
}

/** Defaults of {@link SecureServerKitOptions}. */
export const SecureKitDefaults = Object.freeze({
  ACCEPTED_LEVELS: Object.freeze([SecurityLevel.ENCRYPTED]) as readonly SecurityLevel[],
  MAX_CLOCK_SKEW_MS: 120_000,
  REPLAY_CACHE_SIZE: 100_000,
});

/** What a client whose key is not the one pinned for its user is told before the close (4004). */
const CLIENT_KEY_REFUSAL: UserRefusal = Object.freeze({
  code: ErrorCode.CLIENT_KEY_MISMATCH,
  message: 'This user is bound to another client identity key (another device or browser)',
});

/** What a new device of a user who has the most devices is told (4004). */
const DEVICE_LIMIT_REFUSAL: UserRefusal = Object.freeze({
  code: ErrorCode.CLIENT_KEY_MISMATCH,
  message: 'This user has as many devices as the server keeps; this one is not enrolled',
});

/** The hooks to bind, plus what to tell people about the server's identity. */
export interface SecureServerKit {
  handshakeFn: HandshakeFn;
  outboundTransformer: OutboundTransformer;
  inboundTransformer: InboundTransformer;
  /** True when only `encrypted` is accepted: pass it as the server's `requireEncryption`. */
  requireEncryption: boolean;
  acceptedLevels: readonly SecurityLevel[];
  /** Human-comparable fingerprint of the identity public key. */
  identityFingerprint: string;
  /** What the kit has counted: handshakes, refusals by reason, rekeys, refused frames. */
  getMetrics(): SecureKitMetricsSnapshot;
}

/**
 * The default secure channel for a Sealed server: a handshake hook that runs
 * the three-message signed X25519 handshake of docs/protocol.md (the client's
 * credentials travel inside its finish, signed and sealed, and reach
 * `authenticateFn` only once the client has proved itself), and transformers
 * that protect every later frame with each client's own keys. Bind the three
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
  const replayStore =
    options.replayStore ?? new InMemoryReplayStore(2 * maxClockSkewMs, options.replayCacheSize ?? SecureKitDefaults.REPLAY_CACHE_SIZE);
  const devices = new DevicePins({
    store: options.clientKeyPins ?? new InMemoryPinStore(),
    enrollDeviceFn: options.enrollDeviceFn,
    maxDevicesPerUser: options.maxDevicesPerUser ?? DEVICE_DEFAULTS.maxDevicesPerUser,
    fingerprint: (key) => identityFingerprint(crypto, key),
  });
  const now = options.now ?? Date.now;
  const metrics = new SecureKitMetrics();
  const policy: ResumptionPolicy = { ...RESUMPTION_DEFAULTS, ...options.resumption };
  if (!Number.isSafeInteger(policy.ticketLifetimeMs) || policy.ticketLifetimeMs <= 0 || policy.ticketLifetimeMs > 2 * maxClockSkewMs) {
    throw new InvalidOptionsError(
      `Option "resumption.ticketLifetimeMs" must be a positive integer of at most twice "maxClockSkewMs" (${2 * maxClockSkewMs}), the time a ticket's use is remembered`,
    );
  }
  const tickets = policy.enabled ? new SessionTickets(crypto, options.identity, policy, metrics, now) : undefined;
  const plaintextReply: PlaintextReplyWire = { v: HANDSHAKE_VERSION, level: SecurityLevel.NONE, accepted: [...acceptedLevels] };

  const refuse = (clientId: string, refusal: KitRefusal): null => {
    metrics.refused(refusal);
    // Counted above; logged at debug only, so a flood of bad handshakes cannot flood the logs.
    options.logger?.debug({ clientId, refusal }, 'handshake refused');
    return null;
  };

  /**
   * Whether `key` is one of the user's devices (the first pinned now, a new
   * one if the application enrolls it); counts the refusal when not. A
   * client with another key is told so (it proved its key and credentials
   * for this user already); a full pin store is the server's own limit, and
   * refused without a reason.
   */
  const acceptPinned = async (clientId: string, userId: string, key: Uint8Array): Promise<true | false | UserRefusal> => {
    const admission = await devices.admit(userId, key);
    if (admission === 'ENROLLED') metrics.devicesEnrolled += 1;
    if (admission === 'KNOWN' || admission === 'PINNED' || admission === 'ENROLLED') return true;
    refuse(clientId, admission);
    if (admission === 'CLIENT_KEY_MISMATCH') return CLIENT_KEY_REFUSAL;
    return admission === 'DEVICE_LIMIT' ? DEVICE_LIMIT_REFUSAL : false;
  };

  /** The outcome of a finished handshake: protected frames, the signed credentials, and the client key to pin for the user. */
  const finish = async (clientId: string, pending: PendingServerHandshake, data: unknown): Promise<HandshakeOutcome | null> => {
    const finished = await finishServerHandshake({
      crypto,
      pending,
      finish: data,
      replayStore,
      nowMs: now(),
      rekey: options.rekey,
      onRekey: metrics.rekeyed,
    });
    if (!finished.ok) return refuse(clientId, finished.code);
    const credentials = readHandshakeCredentials(finished.credentials);
    if (!credentials) {
      finished.channel.close();
      zeroize(finished.resumptionSecret);
      return refuse(clientId, 'MALFORMED_CREDENTIALS');
    }
    metrics.handshakesCompleted += 1;
    const session = new SecureSession(finished.level, finished.channel, {
      resumptionSecret: finished.resumptionSecret,
      clientIdentity: finished.clientIdentity,
      suite: pending.suite,
    });
    return {
      encrypted: finished.level === SecurityLevel.ENCRYPTED,
      protectedFrames: true,
      session,
      deviceKey: finished.clientIdentity,
      credentials,
      resumption: tickets?.resumptionOf(session),
      acceptUser: (userId) => acceptPinned(clientId, userId, finished.clientIdentity),
    };
  };

  /** The outcome of a resumption's finish: as a full handshake's, for the ticket's client key and user. */
  const finishResumed = async (
    clientId: string,
    resumptions: SessionTickets,
    pending: PendingResumption,
    data: unknown,
  ): Promise<HandshakeOutcome | null> => {
    const resumed = await finishResumption({ crypto, pending, finish: data, nowMs: now(), rekey: options.rekey, onRekey: metrics.rekeyed });
    if (!resumed.ok) return refuse(clientId, 'BAD_RESUME_FINISH');
    const { ticket, clientIdentity } = resumed;
    const session = new SecureSession(resumed.level, resumed.channel, {
      resumptionSecret: resumed.resumptionSecret,
      clientIdentity,
      suite: pending.suite,
    });
    const credentials = readHandshakeCredentials(resumed.credentials);
    if (!credentials) {
      session.dispose();
      return refuse(clientId, 'MALFORMED_CREDENTIALS');
    }
    metrics.handshakesCompleted += 1;
    const resumedUser = resumptions.policy.authenticateAgain ? undefined : { userId: ticket.userId, metadata: ticket.metadata };
    return {
      encrypted: resumed.level === SecurityLevel.ENCRYPTED,
      protectedFrames: true,
      session,
      deviceKey: clientIdentity,
      credentials,
      resumption: resumptions.resumptionOf(session, resumedUser),
      acceptUser: async (userId) => {
        // A ticket resumes its own user's session only.
        if (userId !== ticket.userId) {
          refuse(clientId, 'TICKET_USER_MISMATCH');
          return false;
        }
        const accepted = await acceptPinned(clientId, userId, clientIdentity);
        if (accepted === true) metrics.resumptions += 1;
        return accepted;
      },
    };
  };

  /** What answering a hello needs, full handshake or resumption. */
  const helloParams = (hello: unknown): ServerHelloParams => ({
    crypto,
    identity: options.identity,
    acceptedLevels,
    hello,
    nowMs: now(),
    maxClockSkewMs,
    suites: options.suites,
  });

  /** Takes the hello's ticket when it can; `undefined` means: run the full handshake. */
  const resume = async (clientId: string, hello: unknown, resumptions: SessionTickets): Promise<HandshakeChallenge | undefined> => {
    const resumed = await respondToResumption({ ...helloParams(hello), tickets: resumptions.sealer, replayStore });
    if (!resumed.ok) {
      if (resumed.code !== 'NO_TICKET' && resumed.code !== 'HELLO_REFUSED') {
        metrics.ticketRefused(resumed.code);
        options.logger?.debug({ clientId, refusal: resumed.code }, 'resumption ticket not taken; running the full handshake');
      }
      return undefined;
    }
    const { pending } = resumed;
    return {
      challenge: { ...resumed.reply },
      finish: (finishData) => finishResumed(clientId, resumptions, pending, finishData),
      abandon: () => abandonResumption(pending),
    };
  };

  /** Answers a hello with the full handshake. */
  const fullHandshake = (clientId: string, hello: unknown): HandshakeChallenge | null => {
    const answered = respondToClientHello(helloParams(hello));
    if (!answered.ok) return refuse(clientId, answered.code);
    const { pending } = answered;
    return {
      challenge: { ...answered.reply },
      finish: (finishData) => finish(clientId, pending, finishData),
      abandon: () => abandonServerHandshake(pending),
    };
  };

  const handshakeFn: HandshakeFn = ({ clientId, data }) => {
    const hello = helloField(data);
    if (hello === undefined) {
      if (!acceptedLevels.includes(SecurityLevel.NONE)) return refuse(clientId, 'MISSING');
      metrics.handshakesCompleted += 1;
      return { encrypted: false, reply: { [HANDSHAKE_FIELD]: plaintextReply } };
    }
    // Credentials travel inside the finish, signed; any beside the hello would be in the clear and unbound.
    if (!isHelloOnly(data)) return refuse(clientId, 'CLEAR_CREDENTIALS');
    // Only a hello that presents a ticket waits on the ticket's checks (and the replay store).
    if (tickets && presentsTicket(hello)) return resume(clientId, hello, tickets).then((resumed) => resumed ?? fullHandshake(clientId, hello));
    return fullHandshake(clientId, hello);
  };

  const outboundTransformer: OutboundTransformer = ({ client, encoded }) => {
    const channel = sessionChannel(client.session);
    if (!channel) return undefined;
    return channel.canSealInPlace ? new SealOnWrite(channel, encoded(), now) : channel.seal(encoded(), now());
  };

  const inboundTransformer: InboundTransformer = async ({ client, frame }) => {
    const channel = sessionChannel(client.session);
    // A protected client sends binary frames only: a text frame would be a downgrade.
    if (!channel || typeof frame === 'string') return undefined;
    const opened = await channel.open(frame);
    if (!opened.ok) {
      metrics.framesRefused += 1;
      options.logger?.debug({ clientId: client.id, failure: opened.code }, 'protected frame refused');
      return undefined;
    }
    try {
      return utf8Decode(opened.plaintext);
    } catch {
      return undefined;
    }
  };

  return {
    handshakeFn,
    outboundTransformer,
    inboundTransformer,
    requireEncryption: acceptedLevels.length === 1 && acceptedLevels[0] === SecurityLevel.ENCRYPTED,
    acceptedLevels,
    identityFingerprint: identityFingerprint(crypto, options.identity.publicKey),
    getMetrics: () => metrics.snapshot(),
  };
}
