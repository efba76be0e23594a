import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import type { WebSocket } from 'ws';
import { SealedError } from '../../protocol/sealed-error.ts';
import { UsageErrorCode } from '../../protocol/usage-error-codes.ts';

/**
 * The TCP socket under a server-side `ws` WebSocket. `ws` has no public
 * handle for it; the delivery fast path needs it to write frames it built
 * once for many recipients and to coalesce a turn's writes. The `ws`
 * version is pinned, and this is the only place that reaches inside.
 *
 * @throws SealedError `UNSUPPORTED_WS` when the WebSocket carries no socket (an unsupported `ws`).
 */
export function rawSocketOf(webSocket: WebSocket): Duplex {
  const socket = (webSocket as unknown as { _socket?: Duplex })._socket;
  if (!socket || typeof socket.cork !== 'function') {
    throw new SealedError(UsageErrorCode.UNSUPPORTED_WS, 'This version of ws does not expose its socket; Sealed needs ws 8.x');
  }
  return socket;
}

/**
 * Whether the socket is a plain TCP or pipe socket: when such a socket
 * reports a write complete at once (nothing left in `writableLength`), its
 * bytes are in the kernel and nothing references them any more. A generic
 * Duplex may keep them (a PassThrough hands them to its reader), and a TLS
 * socket is left out as well.
 */
export function releasesWrittenBytes(socket: Duplex): boolean {
  return socket instanceof Socket && !(socket instanceof TLSSocket);
}
