import { ApplicationDefaults } from '@sealed/core';
import { SealedError, SecurityLevel, parseSecurityLevels } from '@sealed/helpers';

/** Highest TCP port number; 0 asks the system for a free port. */
const MAX_PORT = 65_535;
/** A port as people write it: decimal digits only, no sign, no fraction, no exponent. */
const PORT_PATTERN = /^\d+$/;
/** Protocols a Redis URL may use: `redis:` in the clear, `rediss:` over TLS. */
const REDIS_PROTOCOLS: readonly string[] = ['redis:', 'rediss:'];
/** Levels the sample accepts when `SECURITY_LEVELS` is unset. */
const DEFAULT_SECURITY_LEVELS = SecurityLevel.ENCRYPTED;
/** pino levels `LOG_LEVEL` may name. */
const LOG_LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/**
 * The sample's log level when `LOG_LEVEL` is unset: warnings and errors only,
 * so the start-up banner is what a person sees.
 */
export const DEFAULT_CHAT_LOG_LEVEL = 'warn';

/** What the sample chat runs with, read from its environment. */
export interface ChatSettings {
  /** `PORT`: 0-65535, 0 for any free port; default 3000. */
  port: number;
  /** `HOST`: the address to listen on; default 127.0.0.1. */
  host: string;
  /** `SECURITY_LEVELS`: comma-separated levels the server accepts; default `encrypted`. */
  securityLevels: SecurityLevel[];
  /** `IDENTITY_FILE`: where the server identity key is kept across restarts. */
  identityFile: string | undefined;
  /** `REDIS_URL`: the Redis that rooms are shared through, `redis://` or `rediss://`. */
  redisUrl: string | undefined;
  /** `BUS_SECRET`: authenticates bus envelopes between instances; required with `REDIS_URL`. */
  busSecret: string | undefined;
  /** `LOG_LEVEL`: a pino level; default `warn`. */
  logLevel: string;
  /** `METRICS`: `on` (default) serves Prometheus metrics at `/metrics`, `off` does not. */
  metrics: boolean;
  /** `METRICS_TOKEN`: when set, `/metrics` asks for `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** `TLS_CERT` and `TLS_KEY`: PEM files to serve `https`/`wss` with; both or neither. */
  tls: { certFile: string; keyFile: string } | undefined;
}

/** The environment read: the settings, or every problem found, one line each. */
export type ChatEnvironment = { ok: true; settings: ChatSettings } | { ok: false; problems: string[] };

/** The environment variables the sample reads; others are ignored. */
export type EnvironmentRecord = Readonly<Record<string, string | undefined>>;

function readPort(value: string | undefined, problems: string[]): number {
  if (value === undefined) return ApplicationDefaults.PORT;
  const port = PORT_PATTERN.test(value) ? Number(value) : Number.NaN;
  if (Number.isSafeInteger(port) && port <= MAX_PORT) return port;
  problems.push(`PORT must be an integer from 0 to ${MAX_PORT} (0: any free port), got ${JSON.stringify(value)}`);
  return ApplicationDefaults.PORT;
}

function readHost(value: string | undefined, problems: string[]): string {
  if (value === undefined) return ApplicationDefaults.HOST;
  if (value.trim().length > 0) return value;
  problems.push(`HOST must name an address to listen on (for example ${ApplicationDefaults.HOST}), got an empty value`);
  return ApplicationDefaults.HOST;
}

function readSecurityLevels(value: string | undefined, problems: string[]): SecurityLevel[] {
  try {
    return parseSecurityLevels(value ?? DEFAULT_SECURITY_LEVELS);
  } catch (error) {
    if (!SealedError.is(error)) throw error;
    problems.push(`SECURITY_LEVELS: ${error.message}`);
    return [];
  }
}

/** Whether `value` is a URL Redis can be reached at; never echoes it, as it may hold a password. */
function readRedisUrl(value: string | undefined, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url && REDIS_PROTOCOLS.includes(url.protocol) && url.hostname.length > 0) return value;
  problems.push('REDIS_URL must be a redis://host:port or rediss://host:port URL');
  return undefined;
}

/** Values `METRICS` takes. */
const METRICS_SWITCH: Readonly<Record<string, boolean>> = { on: true, off: false };

function readMetrics(value: string | undefined, problems: string[]): boolean {
  if (value === undefined) return true;
  const enabled = METRICS_SWITCH[value];
  if (enabled !== undefined) return enabled;
  problems.push(`METRICS must be on or off, got ${JSON.stringify(value)}`);
  return true;
}

function readTls(certFile: string | undefined, keyFile: string | undefined, problems: string[]): ChatSettings['tls'] {
  if (certFile && keyFile) return { certFile, keyFile };
  if (certFile || keyFile) problems.push(`TLS_CERT and TLS_KEY go together: set ${certFile ? 'TLS_KEY' : 'TLS_CERT'} too, or neither`);
  return undefined;
}

function readLogLevel(value: string | undefined, problems: string[]): string {
  if (value === undefined) return DEFAULT_CHAT_LOG_LEVEL;
  if (LOG_LEVELS.includes(value)) return value;
  problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`);
  return DEFAULT_CHAT_LOG_LEVEL;
}

/** An optional value: empty counts as unset. */
function optional(value: string | undefined): string | undefined {
  return value === undefined || value.length === 0 ? undefined : value;
}

/**
 * Reads and checks the sample chat's environment, without touching files or
 * the network: `PORT`, `HOST`, `SECURITY_LEVELS` and `LOG_LEVEL` must be valid
 * when set (an empty value is not); `IDENTITY_FILE`, `REDIS_URL`,
 * `BUS_SECRET`, `METRICS`, `METRICS_TOKEN`, `TLS_CERT` and `TLS_KEY` are unset
 * when empty; `REDIS_URL` must be a Redis URL and needs `BUS_SECRET`;
 * `METRICS` is `on` or `off`; `TLS_CERT` and `TLS_KEY` come together. Every problem is reported, each as one line for people.
 *
 * @example
 * const environment = readChatEnvironment(process.env);
 * if (!environment.ok) for (const problem of environment.problems) console.error(problem);
 */
export function readChatEnvironment(env: EnvironmentRecord): ChatEnvironment {
  const problems: string[] = [];
  const port = readPort(env.PORT, problems);
  const host = readHost(env.HOST, problems);
  const securityLevels = readSecurityLevels(env.SECURITY_LEVELS, problems);
  const identityFile = optional(env.IDENTITY_FILE);
  const redisUrl = readRedisUrl(optional(env.REDIS_URL), problems);
  const busSecret = optional(env.BUS_SECRET);
  if (optional(env.REDIS_URL) !== undefined && !busSecret) {
    problems.push(
      'REDIS_URL is set without BUS_SECRET: set BUS_SECRET, the same secret on every instance, so that only they can send to your clients.',
    );
  }
  const logLevel = readLogLevel(env.LOG_LEVEL, problems);
  const metrics = readMetrics(optional(env.METRICS), problems);
  const metricsToken = optional(env.METRICS_TOKEN);
  const tls = readTls(optional(env.TLS_CERT), optional(env.TLS_KEY), problems);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, settings: { port, host, securityLevels, identityFile, redisUrl, busSecret, logLevel, metrics, metricsToken, tls } };
}
