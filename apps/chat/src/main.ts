import { ApplicationDefaults } from '@sealed/core';
import { createDefaultLogger, parseSecurityLevels } from '@sealed/helpers';
import { ChatApplication } from './chat-application.ts';

/** Environment the sample reads, with its defaults. */
const port = Number(process.env.PORT ?? ApplicationDefaults.PORT);
const host = process.env.HOST ?? ApplicationDefaults.HOST;
const securityLevels = parseSecurityLevels(process.env.SECURITY_LEVELS ?? 'encrypted');
const identityFile = process.env.IDENTITY_FILE || undefined;
const redisUrl = process.env.REDIS_URL || undefined;
const busSecret = process.env.BUS_SECRET || undefined;
const logger = createDefaultLogger();

if (redisUrl && !busSecret) {
  process.stderr.write('REDIS_URL is set without BUS_SECRET: set BUS_SECRET, the same secret on every instance, so that only they can send to your clients.\n');
  process.exit(1);
}

const app = new ChatApplication({ port, host, logger, securityLevels, identityFile, redisUrl, busSecret });
const address = await app.start();
const origin = `http://${host}:${address.port}`;
process.stdout.write(
  [
    `Sealed chat listening on ${origin} (WebSocket ${origin.replace('http', 'ws')}/ws)`,
    `Security levels accepted: ${app.acceptedLevels.join(', ')}`,
    `Bus: ${app.busKind}${redisUrl ? ` (${new URL(redisUrl).host})` : ' (set REDIS_URL to share rooms across instances)'}`,
    `Server identity fingerprint: ${app.identityFingerprint}${identityFile ? ` (key in ${identityFile})` : ' (new key each start; set IDENTITY_FILE to keep it)'}`,
    '',
  ].join('\n'),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping');
    void app.stop().then(() => process.exit(0));
  });
}
