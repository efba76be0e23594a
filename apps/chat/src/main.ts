import { ApplicationDefaults } from '@sealed/core';
import { createDefaultLogger } from '@sealed/helpers';
import { ChatApplication } from './chat-application.ts';

const port = Number(process.env.PORT ?? ApplicationDefaults.PORT);
const host = process.env.HOST ?? ApplicationDefaults.HOST;
const logger = createDefaultLogger();

const app = new ChatApplication({ port, host, logger });
const address = await app.start();
const origin = `http://${host}:${address.port}`;
process.stdout.write(`Sealed chat listening on ${origin} (WebSocket ${origin.replace('http', 'ws')}/ws)\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping');
    void app.stop().then(() => process.exit(0));
  });
}
