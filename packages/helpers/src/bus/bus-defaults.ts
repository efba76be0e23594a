/** Defaults shared by servers and emitters, which must agree on them. */
export const BusDefaults = Object.freeze({
  /** Prefix of every channel name, so several applications can share one Redis. */
  CHANNEL_PREFIX: 'sealed',
  /** Largest envelope accepted or published, in bytes. */
  MAX_ENVELOPE_BYTES: 1024 * 1024,
  /** Oldest (or furthest in the future) an envelope may be, in ms: the clock skew between instances allowed. */
  MAX_ENVELOPE_AGE_MS: 30_000,
  /** Envelope ids a receiver remembers against duplicates. */
  DUPLICATE_CACHE_SIZE: 100_000,
});
