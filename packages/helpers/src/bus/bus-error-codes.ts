/** Codes of the `SealedError`s a `WebSocketEmitter` throws. */
export const BusErrorCode = {
  /** The envelope is larger than `maxEnvelopeBytes` (UTF-8 bytes); no instance would accept it. */
  ENVELOPE_TOO_LARGE: 'ENVELOPE_TOO_LARGE',
  /** The client id does not start with the id of the instance that issued it. */
  UNKNOWN_INSTANCE: 'UNKNOWN_INSTANCE',
} as const;

export type BusErrorCode = (typeof BusErrorCode)[keyof typeof BusErrorCode];
