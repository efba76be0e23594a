/**
 * `@sealed/helpers/client/node` (and `@sealed/helpers/client` when Node
 * resolves it): the client SDK with Node defaults, so nothing needs wiring:
 * `WebSocket` from `ws` and the native crypto provider (libsodium and
 * `node:crypto`) unless the options say otherwise.
 *
 * @example
 * import { SealedClient } from '@sealed/helpers/client';
 * const client = new SealedClient({ url: 'wss://chat.example/ws', credentials: { token } });
 * await client.connect();
 */
import { WebSocket } from 'ws';
import { NodeCryptoProvider } from '../crypto/node-crypto-provider.ts';
import { SealedClient as PortableSealedClient } from './sealed-client.ts';
import type { EventMap, SealedClientOptions } from './sealed-client-options.ts';
import type { AnyEventMap } from '../protocol/event-map.ts';

export * from './index.ts';
export { NodeCryptoProvider } from '../crypto/node-crypto-provider.ts';

/** One provider for every client of the process: it holds no per-connection state. */
const nodeCrypto = new NodeCryptoProvider();

/** The {@link PortableSealedClient} with `ws` and `NodeCryptoProvider` as its defaults. */
export class SealedClient<Incoming extends EventMap = AnyEventMap, Outgoing extends EventMap = AnyEventMap> extends PortableSealedClient<
  Incoming,
  Outgoing
> {
  constructor(options: SealedClientOptions) {
    super({ WebSocket, crypto: nodeCrypto, ...options });
  }
}
