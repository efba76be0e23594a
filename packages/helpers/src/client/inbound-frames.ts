/** Handles one inbound frame: synchronously (returns nothing), or asynchronously (returns the promise of its end). */
export type FrameHandler = () => void | Promise<void>;

/**
 * Runs a connection's inbound frames one after another, in the order they
 * came. A frame is handled at once when none before it is still being
 * handled: a plaintext frame on an open connection then costs no promise
 * and no deferred turn. A frame whose handling goes on asynchronously (an
 * encrypted one waits on the AEAD, a handshake message on its checks) holds
 * the frames after it back until it is done. A handler that throws or
 * rejects is reported to `onFailure`; the frames after it are handled.
 */
export class InboundFrames {
  /** The end of the last frame still being handled; meaningful only while `#inFlight` is above 0. */
  #tail: Promise<void> = Promise.resolve();
  #inFlight = 0;

  constructor(private readonly onFailure: (cause: unknown) => void) {}

  /** Handles a frame now, or behind the frames still being handled. */
  push(handle: FrameHandler): void {
    if (this.#inFlight > 0) {
      this.#follow(this.#tail.then(handle));
      return;
    }
    let result: void | Promise<void>;
    try {
      result = handle();
    } catch (cause) {
      this.onFailure(cause);
      return;
    }
    if (result) this.#follow(result);
  }

  #follow(work: Promise<void>): void {
    this.#inFlight += 1;
    this.#tail = work.then(this.#settled, this.#failed);
  }

  readonly #settled = (): void => {
    this.#inFlight -= 1;
  };

  readonly #failed = (cause: unknown): void => {
    this.#inFlight -= 1;
    this.onFailure(cause);
  };
}
