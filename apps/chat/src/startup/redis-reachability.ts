import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

/** How long the start-up check waits for Redis to answer. */
export const REDIS_PROBE_TIMEOUT_MS = 3_000;
/** Redis's port when the URL names none. */
const DEFAULT_REDIS_PORT = 6379;
const TLS_PROTOCOL = 'rediss:';
/** An inline `PING` (Redis serialization protocol, inline commands). */
const PING = 'PING\r\n';
/** First bytes of a Redis reply to it: `+PONG`, or an error such as `-NOAUTH` (still Redis, and the client authenticates later). */
const REDIS_REPLY_PREFIXES: readonly string[] = ['+', '-'];

/**
 * Checks once that Redis answers at `redisUrl` (a connection, over TLS for
 * `rediss:`, and a `PING`), so that a wrong address fails the start with one
 * line instead of the client retrying forever.
 *
 * @returns `undefined` when Redis answered; otherwise one line for people that
 *   names the host and the reason, never the URL's credentials.
 */
export function checkRedisReachable(redisUrl: string, timeoutMs = REDIS_PROBE_TIMEOUT_MS): Promise<string | undefined> {
  const url = new URL(redisUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port ? Number(url.port) : DEFAULT_REDIS_PORT;
  const where = `${url.hostname}:${port}`;
  const tls = url.protocol === TLS_PROTOCOL;
  return new Promise((resolve) => {
    const socket: Socket = tls ? connectTls({ host, port, servername: host }) : connectTcp({ host, port });
    const settle = (problem: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(problem);
    };
    const timer = setTimeout(() => settle(`REDIS_URL: Redis at ${where} did not answer within ${timeoutMs} ms`), timeoutMs);
    socket.once(tls ? 'secureConnect' : 'connect', () => socket.write(PING));
    socket.once('data', (reply: Buffer) => {
      const isRedis = REDIS_REPLY_PREFIXES.includes(reply.subarray(0, 1).toString('latin1'));
      settle(isRedis ? undefined : `REDIS_URL: what answers at ${where} is not Redis`);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => settle(`REDIS_URL: cannot reach Redis at ${where} (${error.code ?? error.message})`));
    socket.once('end', () => settle(`REDIS_URL: ${where} closed the connection without answering`));
  });
}
