import { CloseCode } from '../protocol/close-codes.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { ClientFailureCode } from './sealed-client-error.ts';

/** The close code a client sends when it gives up for `code`. */
export function closeCodeFor(code: ClientFailureCode): number {
  switch (code) {
    case ClientFailureCode.CRYPTO_FAILURE:
      return CloseCode.CRYPTO_FAILURE;
    case ClientFailureCode.PROTOCOL_VIOLATION:
      return CloseCode.PROTOCOL_VIOLATION;
    case ClientFailureCode.CREDENTIALS_FAILED:
      return CloseCode.NORMAL;
    default:
      return CloseCode.ENCRYPTION_REQUIRED;
  }
}

/** The client failure code of a failed handshake. */
export function handshakeFailureCode(failure: string): ClientFailureCode {
  if (failure === 'SERVER_KEY_MISMATCH') return ClientFailureCode.SERVER_KEY_MISMATCH;
  if (failure === 'DOWNGRADE') return ClientFailureCode.DOWNGRADE;
  return ClientFailureCode.HANDSHAKE_FAILED;
}

/** The failure code of a server `error` before the connection opened; a refused resumption (`resumed`) is worth one full handshake. */
export function refusalFailureCode(serverCode: unknown, resumed: boolean): ClientFailureCode {
  if (resumed) return ClientFailureCode.RESUMPTION_REFUSED;
  if (serverCode === ErrorCode.AUTH_FAILED) return ClientFailureCode.AUTH_FAILED;
  return serverCode === ErrorCode.CLIENT_KEY_MISMATCH ? ClientFailureCode.CLIENT_KEY_MISMATCH : ClientFailureCode.REFUSED;
}
