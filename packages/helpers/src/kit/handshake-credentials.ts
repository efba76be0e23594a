import { utf8Decode } from '../crypto/bytes.ts';
import { record } from '../crypto/handshake-messages.ts';
import { ClientEvent } from '../protocol/event-names.ts';
import { validateFrame } from '../protocol/frame-codec.ts';

/**
 * The credentials a client signed into its finish, as the object
 * `authenticateFn` gets: UTF-8 JSON of an object, held to the same rules as
 * credentials sent in the clear inside a frame's `data` (no forbidden key
 * such as `__proto__`, at most the default `maxJsonDepth`). `undefined` for
 * anything else.
 */
export function readHandshakeCredentials(bytes: Uint8Array): Record<string, unknown> | undefined {
  let credentials: Record<string, unknown> | undefined;
  try {
    credentials = record(JSON.parse(utf8Decode(bytes)));
  } catch {
    return undefined;
  }
  if (!credentials) return undefined;
  return validateFrame({ event: ClientEvent.AUTHENTICATE, data: credentials }).ok ? credentials : undefined;
}
