/**
 * What a connection may send right behind its credentials, before the
 * server has opened it: at most `maxEmits` frames and `maxBytes` bytes on
 * the wire together. With the defaults (8 frames, 8 KiB) that is well
 * inside a server's default limits before authentication (16 KiB a frame,
 * 64 KiB in all, 64 frames waiting). Once a
 * frame does not fit, none after it is taken either, so the frames left
 * wait for the open in their order.
 */
export class EarlyData {
  #emitsLeft: number;
  #bytesLeft: number;

  constructor(maxEmits: number, maxBytes: number) {
    this.#emitsLeft = maxEmits;
    this.#bytesLeft = maxBytes;
  }

  /** Whether a frame may still be taken: not once the count is spent or a frame did not fit. */
  get open(): boolean {
    return this.#emitsLeft > 0;
  }

  /** Takes one frame of `wireBytes` bytes if it fits; from the first that does not, takes nothing more. */
  take(wireBytes: number): boolean {
    if (this.#emitsLeft < 1 || wireBytes > this.#bytesLeft) {
      this.#emitsLeft = 0;
      return false;
    }
    this.#emitsLeft -= 1;
    this.#bytesLeft -= wireBytes;
    return true;
  }
}
