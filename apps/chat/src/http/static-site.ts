import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';

/** One file the site serves, loaded once at start. */
interface StaticAsset {
  body: Buffer;
  contentType: string;
}

const HTTP_OK = 200;
const HTTP_NOT_FOUND = 404;
const HTTP_METHOD_NOT_ALLOWED = 405;

/** The page may talk only to its own origin, over HTTP and WebSocket. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'";

const ASSETS: Record<string, { file: string; contentType: string }> = {
  '/': { file: 'index.html', contentType: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', contentType: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', contentType: 'text/css; charset=utf-8' },
};

/** Where the page loads the client SDK from; the files of the bundle are served beside it, under their own names. */
export const CLIENT_BUNDLE_PATH = '/sealed-client.js';

/**
 * Serves the chat page, the client SDK bundle and `GET /healthz`. Files are
 * read once, at construction; nothing outside the fixed list is ever read
 * from disk.
 */
export class StaticSite {
  readonly #assets = new Map<string, StaticAsset>();

  constructor(publicDirectory: string) {
    for (const [path, { file, contentType }] of Object.entries(ASSETS)) {
      this.#assets.set(path, { body: readFileSync(join(publicDirectory, file)), contentType });
    }
  }

  /** Serves the bundled client SDK: each file at `/<name>` (the entry is `sealed-client.js`, {@link CLIENT_BUNDLE_PATH}). */
  setClientBundle(files: ReadonlyMap<string, Buffer>): void {
    for (const [name, body] of files) this.#assets.set(`/${name}`, { body, contentType: 'text/javascript; charset=utf-8' });
  }

  handle(request: IncomingMessage, response: ServerResponse): void {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(HTTP_METHOD_NOT_ALLOWED, { allow: 'GET, HEAD' }).end();
      return;
    }
    const path = (request.url ?? '/').split('?')[0]!;
    if (path === '/healthz') {
      response.writeHead(HTTP_OK, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    const asset = this.#assets.get(path);
    if (!asset) {
      response.writeHead(HTTP_NOT_FOUND, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    response.writeHead(HTTP_OK, {
      'content-type': asset.contentType,
      'content-length': asset.body.length,
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
    response.end(request.method === 'HEAD' ? undefined : asset.body);
  }
}
