import type { GroupStateStore } from './end-to-end/kept-group-states.ts';
import type { AeadSuite } from '../crypto/aead-suite.ts';
import type { CryptoProvider, RawKeyPair } from '../crypto/crypto-provider.ts';
import type { PinStore } from '../crypto/pin-store.ts';
import type { RekeyPolicy } from '../crypto/secure-channel.ts';
import type { SecurityLevel } from '../crypto/security-level.ts';
import type { ValueOrPromise } from '../types/value-or-promise.ts';
import type { PresenceMember } from '../protocol/presence.ts';
import type { ReconnectPolicy } from './reconnect-policy.ts';
import type { WebSocketConstructor } from './websocket-like.ts';

export type { EventMap } from '../protocol/event-map.ts';

/** What the client knows once open. */
export interface ConnectionInfo {
  clientId: string;
  userId: string;
  level: SecurityLevel;
  /** The AEAD the server chose (levels above `none`). */
  suite: AeadSuite | undefined;
  /** Fingerprint of the server identity key (levels above `none`). */
  serverFingerprint: string | undefined;
  /**
   * Whether this connection's credentials travelled sealed inside the
   * handshake, readable by the server that proved its key and by no one
   * else (every level above `none`); at `none` they go in the clear.
   */
  credentialsSealed: boolean;
  /** Whether this connection resumed an earlier session from its ticket instead of running the full handshake. */
  resumed: boolean;
}

/** The answer to `join`. */
export interface JoinResult {
  rooms: string[];
  denied: Array<{ room: string; code: string; message: string }>;
  current: string[];
  /** Per joined room that keeps history: where its stream stands. */
  positions?: Record<string, { offset: number; epoch: string }>;
  /** Per room rejoined with a known position: whether every message missed was replayed. */
  recovered?: Record<string, boolean>;
  /** Per joined room that tracks presence: its members now, on every instance, this client included. */
  members?: Record<string, PresenceMember[]>;
}

/** The payload of `sealed:rejoined`: the answer to the rejoin after a reconnect. */
export interface RejoinResult {
  rooms: string[];
  denied: JoinResult['denied'];
  /** False when a room that keeps history could not replay everything missed: resynchronise it. */
  recovered: boolean;
  /** Per room that keeps history and had a known position: whether its messages were all replayed. */
  recoveredRooms: Record<string, boolean>;
}

/** The answer to `leave`. */
export interface LeaveResult {
  rooms: string[];
  current: string[];
}

/** Options of a {@link SealedClient}. */
export interface SealedClientOptions {
  /** `ws://` or `wss://` URL of the server's WebSocket path. */
  url: string;
  /**
   * The credentials `authenticateFn` gets, or a function that produces them
   * for each (re)connection. At levels above `none` they travel signed and
   * sealed inside the handshake, once the server has proved its key.
   */
  credentials: Record<string, unknown> | (() => ValueOrPromise<Record<string, unknown>>);
  /**
   * How long the promise of a `credentials` function may take: past it the
   * connection attempt closes with 4001 (`AUTH_TIMEOUT`), as the server
   * closes a socket whose credentials do not come, and is made again if
   * reconnecting is on (the function is called again). 10,000 ms by default;
   * 0 waits for ever.
   *
   * @throws RangeError from the constructor when not a non-negative integer.
   */
  credentialsTimeoutMs?: number;
  /** The protection to insist on; the client never continues with less. */
  level?: SecurityLevel;
  /** AEADs to offer, in order of preference; both by default. */
  suites?: readonly AeadSuite[];
  /** The server identity key (base64) when known in advance; otherwise it is pinned on first use. */
  serverKey?: string;
  /** Where server keys are pinned; in memory by default. */
  pins?: PinStore;
  /** The name the server key is pinned under; the URL's host by default. */
  pinName?: string;
  /** The client's Ed25519 identity; generated once per client by default. Persist it to keep the server's pin valid. */
  identity?: RawKeyPair;
  /** Primitives; the portable ones (noble + WebCrypto) by default. On Node, pass `new NodeCryptoProvider()`. */
  crypto?: CryptoProvider;
  /** The WebSocket class; `globalThis.WebSocket` by default. On Node 20, pass `WebSocket` from `ws`. */
  WebSocket?: WebSocketConstructor;
  reconnect?: Partial<ReconnectPolicy>;
  rekey?: RekeyPolicy;
  /** Events kept per name while no listener is attached; 100 by default. */
  maxBufferedEvents?: number;
  /** Largest frame accepted from the server, in bytes; a larger one is dropped and reported as a `sealed:error` (`FRAME_TOO_LARGE`). 1 MiB by default. */
  maxFrameBytes?: number;
  /** Emits kept while the client connects (the first time or again) and sent once it is open (after its rooms are rejoined); 100 by default, 0 to refuse them (`NOT_OPEN`). Past it the newest is refused (`OFFLINE_QUEUE_FULL`). */
  maxQueuedEmits?: number;
  /**
   * Queued emits sent right behind the credentials (`authenticate`, or the
   * finish of the handshake) instead of after the server's `connected`, so
   * the first emits of a connection arrive a round trip sooner; the server
   * handles them once it has opened the connection. Each resolves when the
   * connection opens; if it closes first, they are queued again, in front
   * (refused with `DISCONNECTED` when the client refused a `connected` that
   * came). 8 by default; 0 waits for `connected`. Requests, joins and leaves,
   * and emits on a connection that rejoins rooms first, always wait.
   *
   * @throws RangeError from the constructor when not a non-negative integer.
   */
  maxEarlyEmits?: number;
  /** Bytes on the wire the early emits of one connection may take together; 8 KiB by default. One emit may take all of it: keep it below the server's `maxPayloadBytesBeforeAuth` (and, with the hello and finish, `maxBytesBeforeAuth`). */
  maxEarlyBytes?: number;
  /**
   * Largest `authenticate` frame, in UTF-8 bytes, carried in the upgrade
   * request itself (in `Sec-WebSocket-Protocol`, see `docs/protocol.md`)
   * rather than sent once the socket is open: the server's answer then comes
   * right behind the upgrade's, a round trip sooner. At level `none` the
   * frame holds the credentials, so they travel in a request header (never
   * in the URL); above it, the hello, which holds no secret. A larger frame,
   * or a server that does not take it, gets the frame after the upgrade as
   * before. 4 KiB by default; 0 never carries it in the upgrade, and offers
   * no subprotocol at all.
   *
   * @throws RangeError from the constructor when not a non-negative integer.
   */
  maxUpgradeFrameBytes?: number;
  /**
   * Whether the client keeps the resumption tickets the server sends and
   * presents the newest in its next hello, so a reconnect within the
   * ticket's lifetime skips the signatures (true by default). Tickets are
   * kept in memory only, each is presented once, and `close()` drops it.
   */
  resume?: boolean;
  /** Milliseconds a `request` waits for its reply when it does not say; 10,000 by default. */
  requestTimeoutMs?: number;
  /** Requests that may await their reply at once; 100 by default. Past it `request` rejects with `TOO_MANY_PENDING_REQUESTS`. */
  maxPendingRequests?: number;
  /** End-to-end rooms (joined like any room, when the server marks them so). */
  endToEnd?: {
    /**
     * The SDK does the member side of end-to-end rooms itself (true by default). False leaves it to the
     * application: the `sealed:mls:*` events then reach its listeners as they come, and `sendToRoom` is refused.
     */
    enabled?: boolean;
    /**
     * Where this device keeps each end-to-end room's group state across restarts (in a browser, its
     * storage, beside the identity key: the state holds the device's secrets of the group). Without it
     * a new client of the same device cannot read the rooms it is in (`E2E_STATE_LOST`) until it leaves
     * and joins them again.
     */
    stateStore?: GroupStateStore;
    /** Milliseconds between this device's key refreshes (empty commits) in each end-to-end room it is in; default one hour. */
    rotationIntervalMs?: number;
  };
  now?: () => number;
}

/** Options of one `request`. */
export interface RequestOptions {
  /** Milliseconds to wait for the reply; the client's `requestTimeoutMs` by default. */
  timeoutMs?: number;
}

/**
 * Answers one of the server's requests (`request` on the server): what it
 * returns (or resolves to) is the reply's result. Throw a `SealedError` to
 * reply with its code and message; anything else thrown replies
 * `HANDLER_FAILED`.
 */
export type RequestHandler<Data = any, Result = unknown> = (data: Data) => ValueOrPromise<Result>;
