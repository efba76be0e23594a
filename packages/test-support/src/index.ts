export { TestClient, type ReceivedMessage } from './test-client.ts';
