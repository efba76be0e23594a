import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP relay in front of the server that records every byte in both
 * directions: what a TLS-terminating proxy or a capture on the server's
 * network would see.
 */
/** The bytes of one relayed TCP connection, each direction in order. */
export interface TappedConnection {
  toServer: Buffer[];
  toClient: Buffer[];
}

export class TcpTap {
  readonly connections: TappedConnection[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(targetPort: number) {
    this.#server = createServer((downstream) => {
      const upstream = connect(targetPort, '127.0.0.1');
      const tapped: TappedConnection = { toServer: [], toClient: [] };
      this.connections.push(tapped);
      for (const socket of [downstream, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      downstream.on('data', (chunk: Buffer) => {
        tapped.toServer.push(chunk);
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => {
        tapped.toClient.push(chunk);
        downstream.write(chunk);
      });
      downstream.on('close', () => upstream.destroy());
      upstream.on('close', () => downstream.destroy());
    });
  }

  static async start(targetPort: number): Promise<TcpTap> {
    const tap = new TcpTap(targetPort);
    await new Promise<void>((resolve) => tap.#server.listen(0, '127.0.0.1', resolve));
    return tap;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** The connections whose request starts with `requestLine` (e.g. `GET /ws`). */
  connectionsTo(requestLine: string): TappedConnection[] {
    return this.connections.filter((connection) => Buffer.concat(connection.toServer).subarray(0, requestLine.length).toString() === requestLine);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
