import type { SecureChannel } from '../crypto/secure-channel.ts';
import type { SecurityLevel } from '../crypto/security-level.ts';
import type { ClientSession } from '../server/encryption-hooks.ts';

/** What the secure kit keeps per client: the level agreed and the channel that protects its frames. */
export class SecureSession implements ClientSession {
  constructor(
    readonly level: SecurityLevel,
    readonly channel: SecureChannel,
  ) {}

  /** Zeroes the channel's keys. */
  dispose(): void {
    this.channel.close();
  }

  static of(session: ClientSession | undefined): SecureSession | undefined {
    return session instanceof SecureSession ? session : undefined;
  }
}
