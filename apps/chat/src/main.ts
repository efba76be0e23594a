import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { SealedError, createDefaultLogger } from '@sealed/helpers';
import { ChatApplication } from './chat-application.ts';
import { readChatEnvironment } from './chat-environment.ts';
import { checkRedisReachable } from './startup/redis-reachability.ts';
import { onTerminalInterrupt } from './startup/terminal-interrupt.ts';

/** Exit code of a start that could not happen: the environment, the identity file, Redis, or the port. */
const EXIT_START_FAILED = 1;
const EXIT_STOPPED = 0;

/** Prints each problem as one line on standard error and exits. */
function refuseToStart(problems: readonly string[]): never {
  process.stderr.write(problems.map((problem) => `${problem}\n`).join(''));
  process.exit(EXIT_START_FAILED);
}

/** The certificate and key PEM files, read now; a file that cannot be read stops the start with its line. */
function readTlsFiles(files: { certFile: string; keyFile: string }): { cert: Buffer; key: Buffer } {
  const problems: string[] = [];
  const read = (name: string, file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (error) {
      problems.push(`${name}: ${file} cannot be read (${firstLine(error)})`);
      return Buffer.alloc(0);
    }
  };
  const cert = read('TLS_CERT', files.certFile);
  const key = read('TLS_KEY', files.keyFile);
  if (problems.length > 0) refuseToStart(problems);
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    refuseToStart([`TLS_CERT and TLS_KEY: not a PEM certificate and the private key that goes with it (${firstLine(error)})`]);
  }
  return { cert, key };
}

/** One line for an error: its message, without the stack. */
function firstLine(error: unknown): string {
  return error instanceof Error ? error.message.split('\n', 1)[0]! : String(error);
}

const environment = readChatEnvironment(process.env);
if (!environment.ok) refuseToStart(environment.problems);
const { port, host, securityLevels, identityFile, redisUrl, busSecret, logLevel, metrics, metricsToken, tls: tlsFiles } = environment.settings;
// Logs go to standard error, so that standard output starts with what a person reads first.
const logger = createDefaultLogger({ level: logLevel, destination: 'stderr' });

const tls = tlsFiles ? readTlsFiles(tlsFiles) : undefined;

let app: ChatApplication;
try {
  app = new ChatApplication({ port, host, logger, securityLevels, identityFile, redisUrl, busSecret, metrics, metricsToken, tls });
} catch (error) {
  // The constructor reads IDENTITY_FILE: its own errors name the file, others (JSON, file system) are worded here.
  if (!identityFile) refuseToStart([`The chat could not start: ${firstLine(error)}`]);
  const reason = SealedError.is(error) ? firstLine(error) : `${identityFile} cannot be read as a server identity file (${firstLine(error)})`;
  refuseToStart([`IDENTITY_FILE: ${reason}`]);
}
const redisProblem = redisUrl ? await checkRedisReachable(redisUrl) : undefined;
if (redisProblem) refuseToStart([redisProblem]);

let address: Awaited<ReturnType<ChatApplication['start']>>;
try {
  address = await app.start();
} catch (error) {
  await app.stop().catch(() => undefined);
  refuseToStart([`The chat could not start: ${firstLine(error)}`]);
}
let stopping = false;
let releaseTerminal: () => void = () => undefined;

/** Stops once, whatever asks first and however often: a second Ctrl-C or signal while stopping changes nothing. */
function stop(reason: string): void {
  if (stopping) return;
  stopping = true;
  releaseTerminal();
  logger.info({ reason }, 'stopping');
  void app.stop().then(() => process.exit(EXIT_STOPPED));
}

// Listening for the signals before saying the chat listens: a Ctrl-C right after the line must stop it gracefully.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop(signal));
const origin = `${tls ? 'https' : 'http'}://${host}:${address.port}`;
process.stdout.write(
  [
    `Sealed chat listening on ${origin} (WebSocket ${origin.replace('http', 'ws')}/ws)`,
    metrics ? `Metrics: ${origin}/metrics${metricsToken ? ' (with METRICS_TOKEN as a bearer token)' : ' (set METRICS_TOKEN to protect it, METRICS=off to turn it off)'}` : 'Metrics: off',
    `Security levels accepted: ${app.acceptedLevels.join(', ')}`,
    `Bus: ${app.busKind}${redisUrl ? ` (${new URL(redisUrl).host})` : ' (set REDIS_URL to share rooms across instances)'}`,
    `Server identity fingerprint: ${app.identityFingerprint}${identityFile ? ` (key in ${identityFile})` : ' (new key each start; set IDENTITY_FILE to keep it)'}`,
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);

releaseTerminal = onTerminalInterrupt(process.stdin, () => stop('Ctrl-C'));
