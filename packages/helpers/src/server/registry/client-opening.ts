import type { HandshakeChallenge } from '../encryption-hooks.ts';

/** A handshake waiting for the client's finish: its challenge, and the `authenticate` payload it answered. */
export interface PendingHandshake {
  challenge: HandshakeChallenge;
  data: unknown;
}

/**
 * What a client holds only until it is open: its auth timer, the handshake
 * waiting for its finish, the bytes it sent meanwhile, its slot among the
 * connections not yet authenticated, and when it was accepted. The client
 * drops all of it once open, so an open connection keeps none of it.
 */
export class ClientOpening {
  authTimer: NodeJS.Timeout | undefined = undefined;
  pendingHandshake: PendingHandshake | undefined = undefined;
  /** Bytes of frames received before the client was open. */
  bytesBeforeOpen = 0;
  /** Gives back the client's slot among the connections not yet authenticated, once. */
  #releaseSlot: (() => void) | undefined;

  /**
   * @param acceptedAt when the upgrade was accepted, on the server's monotonic clock (`performance.now()` ms), for the time it takes to open.
   * @param releaseSlot gives the client's pre-authentication slot back.
   */
  constructor(
    readonly acceptedAt: number,
    releaseSlot: () => void,
  ) {
    this.#releaseSlot = releaseSlot;
  }

  clearAuthTimer(): void {
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = undefined;
  }

  /** Gives the pre-authentication slot back; later calls do nothing. */
  releaseSlot(): void {
    const release = this.#releaseSlot;
    this.#releaseSlot = undefined;
    release?.();
  }
}
