/** Requests larger than this share of a slab get a buffer of their own, so one large frame does not waste most of a slab. */
const LARGEST_SHARE_OF_SLAB = 1 / 4;

/**
 * Hands out short-lived byte regions cut from large shared buffers, so a
 * turn's many small output buffers cost a pointer bump each instead of an
 * allocation. A slab is released by the garbage collector once every region
 * cut from it has been written and dropped; a region whose bytes have gone
 * out at once is given back, and the next one reuses them.
 */
export class ByteSlab {
  #slab: Uint8Array;
  #offset = 0;

  /**
   * @param slabBytes size of each shared buffer.
   */
  constructor(private readonly slabBytes: number) {
    this.#slab = uninitialized(slabBytes);
  }

  /** A region of exactly `length` bytes, contents undefined. */
  take(length: number): Uint8Array {
    if (length > this.slabBytes * LARGEST_SHARE_OF_SLAB) return uninitialized(length);
    if (this.#offset + length > this.slabBytes) {
      this.#slab = uninitialized(this.slabBytes);
      this.#offset = 0;
    }
    const region = this.#slab.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return region;
  }

  /**
   * Takes back `region` when it is the last one taken, so the next take
   * reuses its bytes while they are warm in cache; any other region is left
   * to the garbage collector. Nothing may reference its bytes any more.
   */
  giveBack(region: Uint8Array): void {
    if (region.buffer !== this.#slab.buffer) return;
    const end = region.byteOffset - this.#slab.byteOffset + region.length;
    if (end === this.#offset) this.#offset -= region.length;
  }
}

/** A plain Uint8Array (cheaper views than a Buffer's) over memory that is not zeroed first. */
function uninitialized(length: number): Uint8Array {
  const buffer = Buffer.allocUnsafeSlow(length);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
}
