import { describe, expect, it } from 'vitest';
import { ClientSocket, type ClientSocketEvents } from './client-socket.ts';
import type { WebSocketClient } from '../registry/websocket-client.ts';

/** A socket as `ws`'s server makes one: no address (its stream is set up later), the server's options. */
function serverSideSocket(): ClientSocket {
  return Reflect.construct(ClientSocket, [null, undefined, {}]) as ClientSocket;
}

/** A server-side socket taken over, and what its events reached. */
function takenOver(): { socket: ClientSocket; client: WebSocketClient; seen: string[]; events: ClientSocketEvents } {
  const socket = serverSideSocket();
  const client = { id: 'client-1' } as WebSocketClient;
  const seen: string[] = [];
  const events: ClientSocketEvents = {
    message: (to, data, isBinary) => seen.push(`message ${to.id} ${String(data)} ${isBinary}`),
    pong: (to) => seen.push(`pong ${to.id}`),
    error: (to, error) => seen.push(`error ${to.id} ${error.message}`),
    close: (to, code) => seen.push(`close ${to.id} ${code}`),
  };
  socket.takeOver(client, events);
  return { socket, client, seen, events };
}

describe('ClientSocket', () => {
  it('hands the four events it was taken over for to the controller, with the client, without a listener on the socket', () => {
    const { socket, seen } = takenOver();
    expect(socket.emit('message', Buffer.from('hi'), false)).toBe(true);
    socket.emit('pong', Buffer.alloc(0));
    // An error with no listener would throw from a plain emitter; here the controller hears it.
    socket.emit('error', new Error('bad frame'));
    socket.emit('close', 1000, Buffer.alloc(0));
    expect(seen).toEqual(['message client-1 hi false', 'pong client-1', 'error client-1 bad frame', 'close client-1 1000']);
    expect(socket.eventNames()).toEqual([]);
  });

  it('lets listeners added with on hear the events too, after the controller, and others only through them', () => {
    const { socket, seen } = takenOver();
    socket.on('message', (data) => seen.push(`listener ${String(data)}`));
    socket.on('ping', () => seen.push('listener ping'));
    socket.emit('message', Buffer.from('hi'), false);
    expect(socket.emit('ping', Buffer.alloc(0))).toBe(true);
    expect(socket.emit('upgrade')).toBe(false);
    expect(seen).toEqual(['message client-1 hi false', 'listener hi', 'listener ping']);
  });

  it('is an ordinary emitter until it is taken over, and is taken over once', () => {
    const socket = serverSideSocket();
    const heard: unknown[] = [];
    socket.on('message', (data) => heard.push(String(data)));
    socket.emit('message', Buffer.from('before'), false);
    expect(heard).toEqual(['before']);
    const { events } = takenOver();
    socket.takeOver({ id: 'client-2' } as WebSocketClient, events);
    expect(() => socket.takeOver({ id: 'client-3' } as WebSocketClient, events)).toThrow(/taken over already/);
  });
});
