import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PrometheusMetrics } from '@sealed/helpers';

/** Where Prometheus scrapes. */
export const METRICS_PATH = '/metrics';

const HTTP_OK = 200;
const HTTP_UNAUTHORIZED = 401;
const HTTP_UNAVAILABLE = 503;
const BEARER_PREFIX = 'Bearer ';

/**
 * Serves `GET /metrics` in Prometheus's text format. With a token, a scrape
 * must send `Authorization: Bearer <token>` (compared in constant time), or
 * it is answered 401.
 */
export class MetricsEndpoint {
  #metrics: PrometheusMetrics | undefined;

  constructor(private readonly token: string | undefined) {}

  /** The exporter to serve, once the server runs; `undefined` while it does not (503). */
  serve(metrics: PrometheusMetrics | undefined): void {
    this.#metrics = metrics;
  }

  /** Answers the request if it is for `/metrics`; returns whether it did. */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    if ((request.url ?? '/').split('?')[0] !== METRICS_PATH) return false;
    if (!this.#authorized(request.headers.authorization)) {
      response.writeHead(HTTP_UNAUTHORIZED, { 'www-authenticate': 'Bearer', 'content-type': 'text/plain' }).end('Unauthorized');
      return true;
    }
    const metrics = this.#metrics;
    if (!metrics) {
      response.writeHead(HTTP_UNAVAILABLE, { 'content-type': 'text/plain' }).end('Not running');
      return true;
    }
    metrics.scrape().then(
      (text) => response.writeHead(HTTP_OK, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }).end(text),
      () => response.writeHead(HTTP_UNAVAILABLE, { 'content-type': 'text/plain' }).end('Metrics unavailable'),
    );
    return true;
  }

  #authorized(header: string | undefined): boolean {
    if (this.token === undefined) return true;
    if (!header?.startsWith(BEARER_PREFIX)) return false;
    const given = Buffer.from(header.slice(BEARER_PREFIX.length));
    const expected = Buffer.from(this.token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
