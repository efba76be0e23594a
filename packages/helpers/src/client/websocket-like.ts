/** The part of the WHATWG WebSocket the client uses: browsers' `WebSocket` and `ws`'s both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  /** The subprotocol the server answered with, once open; `''` when none. */
  readonly protocol: string;
  binaryType: string;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string[]) => WebSocketLike;

/** `readyState` of an open WebSocket (WHATWG). */
export const WEBSOCKET_OPEN = 1;
