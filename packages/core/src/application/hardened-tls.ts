import type { ServerOptions as HttpsServerOptions } from 'node:https';
import type { SecureVersion } from 'node:tls';

/** What an application serves `https` and `wss` with: its certificate chain and key, as PEM. */
export interface ApplicationTlsOptions {
  /** The certificate chain, PEM (leaf first). */
  cert: string | Buffer;
  /** The private key of the leaf certificate, PEM. */
  key: string | Buffer;
  /** The key's passphrase, if it is encrypted. */
  passphrase?: string;
  /** Oldest TLS version accepted; `TLSv1.2` by default (never older). */
  minVersion?: Extract<SecureVersion, 'TLSv1.2' | 'TLSv1.3'>;
}

/**
 * The TLS settings every application server gets: TLS 1.2 at least, AEAD
 * cipher suites only (AES-GCM and ChaCha20-Poly1305, with forward-secret
 * ECDHE key exchange in TLS 1.2), X25519 then P-256 for the key exchange,
 * and the server's order of preference.
 */
export const HARDENED_TLS = Object.freeze({
  minVersion: 'TLSv1.2' as SecureVersion,
  /** TLS 1.3 suites (all AEAD), then the TLS 1.2 ECDHE suites with an AEAD. */
  ciphers: [
    'TLS_AES_256_GCM_SHA384',
    'TLS_CHACHA20_POLY1305_SHA256',
    'TLS_AES_128_GCM_SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
  ].join(':'),
  ecdhCurve: 'X25519:prime256v1',
  honorCipherOrder: true,
});

/** The options of an `https` server for `tls`, with the hardened settings. */
export function hardenedHttpsOptions(tls: ApplicationTlsOptions): HttpsServerOptions {
  return {
    ...HARDENED_TLS,
    minVersion: tls.minVersion ?? HARDENED_TLS.minVersion,
    cert: tls.cert,
    key: tls.key,
    passphrase: tls.passphrase,
  };
}
