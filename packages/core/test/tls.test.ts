import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { get as httpsGet } from 'node:https';
import { NodeCryptoProvider, createDefaultLogger, createSecureServerKit } from '@sealed/helpers';
import { SealedClient, type WebSocketConstructor } from '@sealed/helpers/client';
import { selfSignedCertificate, type Certificate } from '@sealed/test-support';
import { BaseApplication, HARDENED_TLS, WebSocketBindingKeys, WebSocketComponent } from '../src/index.ts';

const silentLogger = createDefaultLogger({ level: 'silent' });
const OK = 200;

class TlsApplication extends BaseApplication {
  readonly kit = createSecureServerKit({ identity: new NodeCryptoProvider().ed25519KeyPair() });

  constructor(certificate: Certificate) {
    super({ port: 0, logger: silentLogger, tls: certificate });
  }

  protected configure(): void {
    this.bindValue(WebSocketBindingKeys.SERVER_OPTIONS, { requireEncryption: this.kit.requireEncryption });
    this.bindValue(WebSocketBindingKeys.AUTHENTICATE_HANDLER, ({ data }) => ({ userId: (data as { token: string }).token }));
    this.bindValue(WebSocketBindingKeys.HANDSHAKE_HANDLER, this.kit.handshakeFn);
    this.bindValue(WebSocketBindingKeys.OUTBOUND_TRANSFORMER, this.kit.outboundTransformer);
    this.bindValue(WebSocketBindingKeys.INBOUND_TRANSFORMER, this.kit.inboundTransformer);
    this.bindValue(WebSocketBindingKeys.MESSAGE_HANDLER, ({ data }) => ({ echoed: data }));
    this.component(WebSocketComponent);
  }

  protected override handleRequest(_request: unknown, response: import('node:http').ServerResponse): void {
    response.writeHead(OK, { 'content-type': 'text/plain' }).end('ok');
  }
}

/** A `ws` WebSocket class that trusts only `ca`. */
function trustingOnly(ca: string): WebSocketConstructor {
  return class PinnedWebSocket extends WebSocket {
    constructor(url: string) {
      super(url, { ca });
    }
  };
}

/** Resolves with the protocol and cipher a TLS client agreed on, or rejects with why the handshake failed. */
function handshake(port: number, options: ConnectionOptions): Promise<{ protocol: string | null; cipher: string }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ...options }, () => {
      resolve({ protocol: socket.getProtocol(), cipher: socket.getCipher().name });
      socket.end();
    });
    socket.once('error', reject);
  });
}

let certificate: Certificate;
let app: TlsApplication | undefined;
let client: SealedClient | undefined;

beforeAll(async () => {
  certificate = await selfSignedCertificate();
});

afterEach(async () => {
  client?.close();
  client = undefined;
  await app?.stop();
  app = undefined;
});

describe('BaseApplication with tls', () => {
  it('serves wss: the SDK connects with the certificate pinned as its only CA, encrypted inside TLS', async () => {
    app = new TlsApplication(certificate);
    const { port } = await app.start();
    expect(app.secure).toBe(true);
    client = new SealedClient({ url: `wss://localhost:${port}/ws`, credentials: { token: 'alice' }, WebSocket: trustingOnly(certificate.cert), reconnect: { enabled: false } });
    const info = await client.connect();
    expect(info.level).toBe('encrypted');
    await expect(client.request('echo', { n: 1 })).resolves.toEqual({ echoed: { n: 1 } });
  });

  it('refuses a client that does not trust the certificate', async () => {
    app = new TlsApplication(certificate);
    const { port } = await app.start();
    const other = await selfSignedCertificate();
    client = new SealedClient({ url: `wss://localhost:${port}/ws`, credentials: { token: 'alice' }, WebSocket: trustingOnly(other.cert), reconnect: { enabled: false } });
    await expect(client.connect()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('negotiates TLS 1.3, or TLS 1.2 with an AEAD suite, and refuses TLS 1.1 and suites without an AEAD', async () => {
    app = new TlsApplication(certificate);
    const { port } = await app.start();
    const ca = certificate.cert;
    expect(await handshake(port, { ca })).toEqual({ protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' });
    const twelve = await handshake(port, { ca, maxVersion: 'TLSv1.2' });
    expect(twelve.protocol).toBe('TLSv1.2');
    expect(HARDENED_TLS.ciphers.split(':')).toContain(twelve.cipher);
    expect(twelve.cipher).toMatch(/GCM|CHACHA20/);
    // The client offers what the server must refuse: only the server's policy can end these handshakes.
    await expect(handshake(port, { ca, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })).rejects.toThrow();
    await expect(handshake(port, { ca, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA' })).rejects.toThrow(/handshake failure|no shared cipher/i);
  });

  it('answers plain HTTPS requests too', async () => {
    app = new TlsApplication(certificate);
    const { port } = await app.start();
    const status = await new Promise<number | undefined>((resolve, reject) => {
      httpsGet({ host: '127.0.0.1', port, servername: 'localhost', path: '/', ca: certificate.cert }, (response) => {
        response.resume();
        resolve(response.statusCode);
      }).once('error', reject);
    });
    expect(status).toBe(OK);
  });
});
