export { TestClient, type ReceivedMessage } from './test-client.ts';
export { RedisProcess, useRedisServer } from './redis-process.ts';
