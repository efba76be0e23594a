import type { IncomingMessage } from 'node:http';

/** The header proxies add with the addresses a request came from, one per hop, the nearest last. */
const FORWARDED_FOR_HEADER = 'x-forwarded-for';

/**
 * The address a request came from. The socket's peer address, unless that
 * peer is one of `trustedProxies`: then the nearest address in
 * `X-Forwarded-For` that is not itself a trusted proxy (a client cannot pick
 * its address by sending the header itself: entries left of the first
 * untrusted one from the right are never used).
 */
export function clientAddressOf(request: IncomingMessage, trustedProxies: ReadonlySet<string>): string | undefined {
  const peer = request.socket.remoteAddress;
  if (peer === undefined || !trustedProxies.has(peer)) return peer;
  const header = request.headers[FORWARDED_FOR_HEADER];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop.length > 0);
  for (let index = hops.length - 1; index >= 0; index -= 1) {
    if (!trustedProxies.has(hops[index]!)) return hops[index];
  }
  return hops[0] ?? peer;
}
