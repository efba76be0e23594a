import type { SecureChannel } from '../crypto/secure-channel.ts';
import type { InPlaceBinaryFrame } from '../server/encryption-hooks.ts';

/**
 * One message for one client, sealed by its channel straight into the
 * socket's outgoing bytes when the client's writes of the turn go out: the
 * sequence number is taken then, so a message the server does not write
 * (slow consumer, closed socket) consumes none and the client sees no gap.
 */
export class SealOnWrite implements InPlaceBinaryFrame {
  readonly byteLength: number;

  constructor(
    private readonly channel: SecureChannel,
    private readonly plaintext: Uint8Array,
    private readonly now: () => number,
  ) {
    this.byteLength = channel.sealedLength(plaintext.length);
  }

  writeTo(target: Uint8Array): void {
    this.channel.sealInto(target, this.plaintext, this.now());
  }
}
