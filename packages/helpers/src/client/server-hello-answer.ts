import { fromBase64, zeroize } from '../crypto/bytes.ts';
import { answerServerHello, type ClientHandshakeResult, type PendingClientHandshake } from '../crypto/client-handshake.ts';
import { answerResumedServerHello, type HeldTicket } from '../crypto/client-resumption.ts';
import { isResumedServerHello } from '../crypto/handshake-messages.ts';
import type { ClientConnectionSettings } from './connection-settings.ts';

/** The client's answer to a server hello, and whether the server took the ticket. */
export interface ServerHelloAnswer {
  result: ClientHandshakeResult | { ok: false; code: string };
  resumed: boolean;
}

/**
 * Answers the server's hello: a resumed one (the server took the ticket
 * `held`) with the ticket's secret; a full one with the signature check, the
 * pin, and the credentials signed into the finish. A ticket the server did
 * not take is zeroed.
 */
export async function answerServerHelloWith(
  settings: ClientConnectionSettings,
  pending: PendingClientHandshake,
  reply: unknown,
  credentials: Uint8Array,
  held: HeldTicket | undefined,
): Promise<ServerHelloAnswer> {
  const nowMs = settings.now();
  if (held && isResumedServerHello(reply)) {
    const result = await answerResumedServerHello({
      crypto: settings.crypto,
      pending,
      held,
      reply,
      credentials,
      clientIdentity: settings.identity().publicKey,
      nowMs,
      rekey: settings.rekey,
    });
    return { result, resumed: true };
  }
  if (held) zeroize(held.secret);
  const result = await answerServerHello({
    crypto: settings.crypto,
    pending,
    reply,
    identity: settings.identity(),
    credentials,
    trust: {
      expected: settings.serverKey === undefined ? undefined : fromBase64(settings.serverKey),
      pins: settings.pins,
      pinName: settings.pinName,
    },
    nowMs,
    rekey: settings.rekey,
  });
  return { result, resumed: false };
}
