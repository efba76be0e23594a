export { TestClient, type ReceivedMessage } from './test-client.ts';
export { RedisProcess } from './redis-process.ts';
