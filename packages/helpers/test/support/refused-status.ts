import { once } from 'node:events';
import { WebSocket } from 'ws';

/** Starts an upgrade with `headers` and `protocols`, and resolves with the HTTP status the server refused it with. */
export async function refusedStatus(url: string, headers: Record<string, string> = {}, protocols: string[] = []): Promise<number> {
  const socket = new WebSocket(url, protocols, { headers });
  socket.on('error', () => undefined);
  const [, response] = (await once(socket, 'unexpected-response')) as [unknown, { statusCode: number }];
  socket.terminate();
  return response.statusCode;
}
