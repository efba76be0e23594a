import { CloseCode, closeCodeName, isSendableCloseCode } from '../../protocol/close-codes.ts';
import { SealedError, type SealedErrorCode } from '../../protocol/sealed-error.ts';

/** What a client is told when an application's handler threw: the `error` to send and, when set, the close that follows. */
export interface ThrownErrorAnswer {
  code: SealedErrorCode;
  message: string;
  /** The close code to end the connection with; `undefined`: it stays open. */
  closeCode: number | undefined;
  /** A close reason that fits a close frame: the close code's table name. */
  closeReason: string;
}

/**
 * The answer to an error an application's handler threw. A `SealedError`
 * speaks for itself: its code and message are sent, and its `closeCode`,
 * when set, ends the connection (one that may not be sent in a close frame
 * becomes 1011). Anything else gets `fallback`, so no internal message
 * reaches a client.
 */
export function answerThrownError(
  error: unknown,
  fallback: { code: SealedErrorCode; message: string; closeCode?: number },
): ThrownErrorAnswer {
  if (!SealedError.is(error)) return withReason(fallback.code, fallback.message, fallback.closeCode);
  const requested = error.closeCode;
  if (requested === undefined) return withReason(error.code, error.message, fallback.closeCode);
  return withReason(error.code, error.message, isSendableCloseCode(requested) ? requested : CloseCode.INTERNAL_ERROR);
}

function withReason(code: SealedErrorCode, message: string, closeCode: number | undefined): ThrownErrorAnswer {
  return { code, message, closeCode, closeReason: closeCode === undefined ? '' : closeCodeName(closeCode) };
}
