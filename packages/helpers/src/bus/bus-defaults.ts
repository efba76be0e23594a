/** Defaults shared by servers and emitters, which must agree on them. */
export const BusDefaults = Object.freeze({
  /** Prefix of every channel name, so several applications can share one Redis. */
  CHANNEL_PREFIX: 'sealed',
  /** Largest envelope accepted or published, in bytes. */
  MAX_ENVELOPE_BYTES: 1024 * 1024,
});
