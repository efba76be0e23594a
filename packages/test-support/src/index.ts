export { TestClient, type ReceivedMessage } from './test-client.ts';
export { RedisProcess, useRedisServer } from './redis-process.ts';
export { closeAfterEach, type Closable } from './close-after-each.ts';
export { launchBrowser } from './browser.ts';
export { selfSignedCertificate, type Certificate } from './self-signed-certificate.ts';
