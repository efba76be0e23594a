import { WebSocket } from 'ws';
import {
  NodeCryptoProvider,
  SecurityLevel,
  createSecureServerKit,
  type RawKeyPair,
  type RekeyPolicy,
  type SecureServerKit,
  type SecureServerKitOptions,
  type AuthenticateFn,
  type WebSocketServerOptions,
} from '../../src/index.ts';
import {
  ClientLifecycleEvent,
  SealedClient,
  type RejoinResult,
  type SealedClientOptions,
  type WebSocketConstructor,
} from '../../src/client/index.ts';
import { startTestServer, type TestServer } from './test-server.ts';

export const nodeCrypto = new NodeCryptoProvider();

export interface SecureTestServer extends TestServer {
  kit: SecureServerKit;
  identity: RawKeyPair;
}

/** A test server with the default secure kit bound. */
export async function startSecureServer(
  options: {
    identity?: RawKeyPair;
    acceptedLevels?: SecurityLevel[];
    rekey?: RekeyPolicy;
    server?: Partial<WebSocketServerOptions<any>>;
    port?: number;
    /** Further kit options. */
    kit?: Partial<SecureServerKitOptions>;
    /** The server's `authenticateFn`, built from the kit (to wrap one with `kit.authenticateSealed`, say). */
    authenticateFn?: (kit: SecureServerKit) => AuthenticateFn;
  } = {},
): Promise<SecureTestServer> {
  const identity = options.identity ?? nodeCrypto.ed25519KeyPair();
  const kit = createSecureServerKit({ identity, acceptedLevels: options.acceptedLevels, rekey: options.rekey, ...options.kit });
  const server = await startTestServer({
    ...(options.authenticateFn ? { authenticateFn: options.authenticateFn(kit) } : {}),
    handshakeFn: kit.handshakeFn,
    outboundTransformer: kit.outboundTransformer,
    inboundTransformer: kit.inboundTransformer,
    requireEncryption: kit.requireEncryption,
    ...options.server,
  }, options.port);
  return { ...server, kit, identity };
}

/** Frames one intercepted socket saw, and a hook to rewrite what it sends. */
export interface Interception {
  WebSocket: WebSocketConstructor;
  /** Binary frames the client sent, as sent. */
  sent: Uint8Array[];
  /** Binary frames the client received. */
  received: Uint8Array[];
  /** Replaces what the client sends: return the frames to put on the wire instead. */
  rewrite: ((frame: Uint8Array) => Uint8Array[]) | undefined;
  /** The socket of the latest connection. */
  socket: WebSocket | undefined;
}

/** A `ws` WebSocket class that records binary frames and lets a test rewrite outbound ones, as a network attacker could. */
export function interceptedWebSocket(): Interception {
  const interception: Interception = { WebSocket: undefined!, sent: [], received: [], rewrite: undefined, socket: undefined };
  class InterceptedWebSocket extends WebSocket {
    constructor(url: string, protocols?: string[]) {
      super(url, protocols);
      interception.socket = this;
      this.on('message', (data, isBinary) => {
        if (isBinary) interception.received.push(new Uint8Array(data as Buffer));
      });
    }

    override send(data: unknown): void {
      if (!(data instanceof Uint8Array)) {
        super.send(data as string);
        return;
      }
      interception.sent.push(data.slice());
      const frames = interception.rewrite ? interception.rewrite(data.slice()) : [data];
      for (const frame of frames) super.send(frame);
    }
  }
  interception.WebSocket = InterceptedWebSocket;
  return interception;
}

/** A Sealed client on Node: `ws` and `node:crypto`, no reconnect unless asked. */
export function sdkClient(url: string, user: string, options: Partial<SealedClientOptions> = {}): SealedClient {
  return new SealedClient({
    url,
    credentials: { token: user },
    crypto: nodeCrypto,
    WebSocket: WebSocket,
    reconnect: { enabled: false },
    ...options,
  });
}

/** What a client heard: the `n` of each `chat` event, and each rejoin's result. */
export interface ChatRecord {
  received: number[];
  rejoins: RejoinResult[];
}

/** Records the `chat` numbers a client receives and its rejoins. */
export function recordChat(client: SealedClient): ChatRecord {
  const record: ChatRecord = { received: [], rejoins: [] };
  client.on('chat', ({ n }: { n: number }) => void record.received.push(n));
  client.on(ClientLifecycleEvent.REJOINED, (result: RejoinResult) => void record.rejoins.push(result));
  return record;
}
