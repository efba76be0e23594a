import { utf8Decode } from '../crypto/bytes.ts';
import type { CryptoProvider, RawKeyPair } from '../crypto/crypto-provider.ts';
import { HANDSHAKE_FIELD, helloField, isFreshHello, proofOf, readClientHello, record } from '../crypto/handshake-messages.ts';
import { openCredentials } from '../crypto/sealed-credentials.ts';
import type { Logger } from '../logging/logger.ts';
import type { ErrorCode } from '../protocol/error-codes.ts';
import { ClientEvent } from '../protocol/event-names.ts';
import { validateFrame } from '../protocol/frame-codec.ts';
import type { AuthenticateFn } from '../server/server-hooks.ts';
import type { SecureKitMetrics } from './secure-kit-metrics.ts';

/** Construction parameters of {@link sealedCredentialsAuthenticator}. */
export interface SealedCredentialsInit {
  crypto: CryptoProvider;
  identity: RawKeyPair;
  /** Refuse clients whose credentials are not sealed. */
  requireSealed: boolean;
  maxClockSkewMs: number;
  now: () => number;
  logger: Logger | undefined;
  metrics: SecureKitMetrics;
}

/** Why sealed credentials were refused, for the log. */
type CredentialsRefusal = 'NOT_SEALED' | 'STALE' | 'UNOPENED' | 'MALFORMED' | ErrorCode;

/**
 * Returns a wrapper for `authenticateFn`s: when the client hello carries
 * credentials sealed to this server's identity (`c`, docs/protocol.md), it
 * opens them and calls `authenticate` with them (and the hello) as `data`,
 * ignoring anything sent beside them in the clear. Credentials that do not
 * open, that break the frame codec's rules (a forbidden key such as
 * `__proto__`, excess depth), a stale hello, or (with `requireSealed`)
 * credentials in the clear are refused: the client gets AUTH_FAILED and
 * close 4003.
 */
export function sealedCredentialsAuthenticator(init: SealedCredentialsInit): (authenticate: AuthenticateFn) => AuthenticateFn {
  const { crypto, identity } = init;
  // The identity's X25519 secret, computed once; it lives as long as the identity seed does.
  const identitySecret = crypto.ed25519SecretToX25519(identity.secretKey);

  const refuse = (clientId: string, refusal: CredentialsRefusal): null => {
    init.metrics.credentialsRefused += 1;
    init.logger?.info({ clientId, refusal }, 'credentials refused');
    return null;
  };

  return (authenticate) => async (context) => {
    const helloWire = helloField(context.data);
    const hello = helloWire === undefined ? undefined : readClientHello(helloWire);
    if (!hello?.credentials) return init.requireSealed ? refuse(context.clientId, 'NOT_SEALED') : authenticate(context);
    if (!isFreshHello(hello, init.now(), init.maxClockSkewMs)) return refuse(context.clientId, 'STALE');
    const opened = await openCredentials({
      crypto,
      identitySecret,
      serverIdentity: identity.publicKey,
      clientEphemeral: hello.ephemeral,
      proof: proofOf(hello),
      sealed: hello.credentials,
    });
    if (!opened) return refuse(context.clientId, 'UNOPENED');
    let credentials: Record<string, unknown> | undefined;
    try {
      credentials = record(JSON.parse(utf8Decode(opened)));
    } catch {
      credentials = undefined;
    }
    if (!credentials) return refuse(context.clientId, 'MALFORMED');
    // The same rules as credentials sent in the clear inside the frame's `data`: no forbidden keys, bounded depth.
    const checked = validateFrame({ event: ClientEvent.AUTHENTICATE, data: credentials });
    if (!checked.ok) return refuse(context.clientId, checked.code);
    init.metrics.sealedCredentialsOpened += 1;
    return authenticate({ ...context, data: { ...credentials, [HANDSHAKE_FIELD]: helloWire } });
  };
}
