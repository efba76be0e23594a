import {
  createSecureServerKit,
  type InboundTransformer,
  type OutboundTransformer,
  type SecureServerKitOptions,
  type WebSocketServerOptions,
} from '../../src/index.ts';
import { nodeCrypto, type SecureTestServer } from './secure-test-server.ts';
import { startTestServer } from './test-server.ts';

/** What the server process saw of every frame, in and out: the application-level view, after decryption and before encryption. */
export interface ServerView {
  seen: string[];
}

export interface EndToEndServer extends SecureTestServer {
  view: ServerView;
}

/** An encrypted server whose rooms named `secret-*` are end-to-end, recording its own view of every frame. */
export async function startEndToEndServer(
  options: Partial<WebSocketServerOptions> = {},
  kitOptions: Partial<SecureServerKitOptions> = {},
): Promise<EndToEndServer> {
  const view: ServerView = { seen: [] };
  const identity = nodeCrypto.ed25519KeyPair();
  const kit = createSecureServerKit({ identity, ...kitOptions });
  const outboundTransformer: OutboundTransformer = (context) => {
    view.seen.push(JSON.stringify({ event: context.event, data: context.data }));
    return kit.outboundTransformer(context);
  };
  const inboundTransformer: InboundTransformer = async (context) => {
    const result = await kit.inboundTransformer(context);
    if (result) view.seen.push(JSON.stringify(result));
    return result;
  };
  const started = await startTestServer({
    handshakeFn: kit.handshakeFn,
    outboundTransformer,
    inboundTransformer,
    requireEncryption: true,
    endToEndRoomFn: ({ room }) => room.startsWith('secret-'),
    ...options,
  });
  return { ...started, kit, identity, view };
}
