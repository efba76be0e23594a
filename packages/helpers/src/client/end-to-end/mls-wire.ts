import { decodeMlsMessage, type KeyPackage, type MLSMessage } from 'ts-mls';
import { fromBase64 } from '../../crypto/bytes.ts';
import { SealedError } from '../../protocol/sealed-error.ts';

/** Whether `error` is a refusal with `code` (a `SealedError` from the server's reply). */
export function isRefusal(error: unknown, code: string): boolean {
  return SealedError.is(error) && error.code === code;
}

/** An `MLSMessage` from its base64 text; `undefined` when it is not one. */
export function decodeMessage(message: string): MLSMessage | undefined {
  const bytes = fromBase64(message);
  return bytes ? decodeMlsMessage(bytes, 0)?.[0] : undefined;
}

/** The epoch in a decoded message's clear header, if it is an MLS PrivateMessage. */
export function messageEpoch(decoded: MLSMessage | undefined): number | undefined {
  return decoded?.wireformat === 'mls_private_message' ? Number(decoded.privateMessage.epoch) : undefined;
}

/** A KeyPackage from its base64 `MLSMessage`; `undefined` for anything else. */
export function readKeyPackage(message: string): KeyPackage | undefined {
  const decoded = decodeMessage(message);
  return decoded?.wireformat === 'mls_key_package' ? decoded.keyPackage : undefined;
}
