import type { HandshakeRefusal } from '../crypto/server-handshake.ts';

/** What the secure kit has counted since it was created. */
export interface SecureKitMetricsSnapshot {
  /** Handshakes completed (every level). */
  handshakesCompleted: number;
  /** Handshakes refused, by reason. */
  handshakeRefusals: Partial<Record<HandshakeRefusal, number>>;
  /** Keys replaced by the rekey policy, both directions of every channel together. */
  rekeys: number;
  /** Inbound encrypted frames refused (each closes its connection with 4005). */
  framesRefused: number;
  /** Sealed credentials opened and handed to the application (`authenticateSealed`). */
  sealedCredentialsOpened: number;
  /** Credentials refused by `authenticateSealed`: unreadable, stale, not an object, or in the clear where sealing is required. */
  credentialsRefused: number;
}

/** The kit's counters; `snapshot()` copies them. */
export class SecureKitMetrics {
  handshakesCompleted = 0;
  readonly handshakeRefusals: Partial<Record<HandshakeRefusal, number>> = {};
  rekeys = 0;
  framesRefused = 0;
  sealedCredentialsOpened = 0;
  credentialsRefused = 0;

  /** Counts one handshake refusal. */
  refused(refusal: HandshakeRefusal): void {
    this.handshakeRefusals[refusal] = (this.handshakeRefusals[refusal] ?? 0) + 1;
  }

  /** Counts one key replaced; passed to every channel as its `onRekey`. */
  readonly rekeyed = (): void => {
    this.rekeys += 1;
  };

  snapshot(): SecureKitMetricsSnapshot {
    return {
      handshakesCompleted: this.handshakesCompleted,
      handshakeRefusals: { ...this.handshakeRefusals },
      rekeys: this.rekeys,
      framesRefused: this.framesRefused,
      sealedCredentialsOpened: this.sealedCredentialsOpened,
      credentialsRefused: this.credentialsRefused,
    };
  }
}
