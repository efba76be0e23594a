/** Requests larger than this share of a slab get a buffer of their own, so one large frame does not waste most of a slab. */
const LARGEST_SHARE_OF_SLAB = 1 / 4;

/**
 * Hands out short-lived byte regions cut from large shared buffers, so a
 * turn's many small output buffers cost a pointer bump each instead of an
 * allocation. A slab is released by the garbage collector once every region
 * cut from it has been written and dropped.
 */
export class ByteSlab {
  #slab: Buffer;
  #offset = 0;

  /**
   * @param slabBytes size of each shared buffer.
   */
  constructor(private readonly slabBytes: number) {
    this.#slab = Buffer.allocUnsafeSlow(slabBytes);
  }

  /** A region of exactly `length` bytes, contents undefined. */
  take(length: number): Buffer {
    if (length > this.slabBytes * LARGEST_SHARE_OF_SLAB) return Buffer.allocUnsafeSlow(length);
    if (this.#offset + length > this.slabBytes) {
      this.#slab = Buffer.allocUnsafeSlow(this.slabBytes);
      this.#offset = 0;
    }
    const region = this.#slab.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return region;
  }
}
