import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate and its key, PEM. */
export interface Certificate {
  cert: string;
  key: string;
}

/** Days a test certificate is valid. */
const VALIDITY_DAYS = 1;

/**
 * Makes a self-signed P-256 certificate for `localhost` and `127.0.0.1`
 * with the system's `openssl`, fresh for each call: what a test serves
 * `https`/`wss` with and pins as the client's only CA.
 */
export async function selfSignedCertificate(): Promise<Certificate> {
  const directory = await mkdtemp(join(tmpdir(), 'sealed-cert-'));
  try {
    const keyFile = join(directory, 'key.pem');
    const certFile = join(directory, 'cert.pem');
    await run('openssl', [
      'req', '-x509', '-nodes',
      '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
      '-days', String(VALIDITY_DAYS),
      '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', keyFile, '-out', certFile,
    ]);
    return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
