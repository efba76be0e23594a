import type { CloseCode } from './close-codes.ts';
import type { ErrorCode } from './error-codes.ts';

const SEALED_ERROR_MARK = Symbol.for('sealed.error');

/** Options of a {@link SealedError}. */
export interface SealedErrorOptions {
  /**
   * On the server: the close code to end the connection with when an
   * application's handler throws this error (a {@link CloseCode}, or an
   * application's own in 3000-4999); without it the connection stays open.
   * On the client: the code the connection closed with.
   */
  closeCode?: CloseCode | number;
  /** The underlying error, kept for logs, never sent to clients. */
  cause?: unknown;
}

/** A code of the {@link ErrorCode} table, or an application's own stable code. */
export type SealedErrorCode = ErrorCode | (string & {});

/**
 * The one error family of Sealed: a stable string `code` clients may switch
 * on, a message safe to show them, and an optional close code.
 *
 * @example
 * throw new SealedError(ErrorCode.AUTH_FAILED, 'Authentication failed', { closeCode: CloseCode.AUTH_FAILED });
 */
export class SealedError extends Error {
  readonly code: SealedErrorCode;
  readonly closeCode: CloseCode | number | undefined;
  readonly [SEALED_ERROR_MARK] = true;

  constructor(code: SealedErrorCode, message: string, options: SealedErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SealedError';
    this.code = code;
    this.closeCode = options.closeCode;
  }

  /** A cross-realm guard: true for any SealedError, even one from another copy of this package. */
  static is(value: unknown): value is SealedError {
    return typeof value === 'object' && value !== null && SEALED_ERROR_MARK in value;
  }
}
