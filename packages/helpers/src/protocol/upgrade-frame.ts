import { fromBase64Url, toBase64Url, utf8Decode } from '../crypto/bytes.ts';

/**
 * A connection's first frame may ride in the upgrade request itself, as a
 * WebSocket subprotocol (`Sec-WebSocket-Protocol`), which saves the round
 * trip its own frame would take: the client's `authenticate`, whose answer
 * then comes right behind the upgrade's. The client offers three entries,
 * in this order:
 *
 * - `sealed`: the protocol, answered by a server that does not take the frame;
 * - `sealed.first-frame`: answered by a server that took it;
 * - `sealed.first-frame.<text>`: the frame's UTF-8 text, base64url without padding.
 *
 * A server that answers anything but `sealed.first-frame` never saw the
 * frame, and the client sends it as a frame once the socket is open, as it
 * would have without it.
 */
export const UpgradeSubprotocol = {
  /** The protocol itself. */
  SEALED: 'sealed',
  /** The server's answer when it took the first frame from the upgrade. */
  FIRST_FRAME_TAKEN: 'sealed.first-frame',
} as const;

/** What comes before the encoded frame in its entry. */
export const FIRST_FRAME_ENTRY_PREFIX = `${UpgradeSubprotocol.FIRST_FRAME_TAKEN}.`;

/** The subprotocols a client offers to carry a text frame (its UTF-8 bytes) as its first frame. */
export function upgradeSubprotocolsFor(frame: Uint8Array): string[] {
  return [UpgradeSubprotocol.SEALED, UpgradeSubprotocol.FIRST_FRAME_TAKEN, FIRST_FRAME_ENTRY_PREFIX + toBase64Url(frame)];
}

/** Characters of unpadded base64url for `bytes` bytes. */
function base64UrlLength(bytes: number): number {
  return Math.ceil((bytes * 4) / 3);
}

/** What a server reads from the subprotocols an upgrade offers. */
export type UpgradeFrameResult =
  | { ok: true; frame: Uint8Array | undefined }
  | { ok: false; reason: string };

/**
 * Reads the first frame an upgrade request carries, if any, from its
 * `Sec-WebSocket-Protocol` value. Refused: more than one frame entry, a
 * frame entry without `sealed.first-frame` beside it, an encoding that is
 * not canonical unpadded base64url, a frame larger than `maxFrameBytes`, or
 * bytes that are not UTF-8 text.
 */
export function readUpgradeFrame(header: string | undefined, maxFrameBytes: number): UpgradeFrameResult {
  if (header === undefined || !header.includes(FIRST_FRAME_ENTRY_PREFIX)) return { ok: true, frame: undefined };
  const entries = header.split(',').map((entry) => entry.trim());
  const frames = entries.filter((entry) => entry.startsWith(FIRST_FRAME_ENTRY_PREFIX));
  if (frames.length === 0) return { ok: true, frame: undefined };
  if (frames.length > 1) return { ok: false, reason: 'more than one first frame' };
  if (!entries.includes(UpgradeSubprotocol.FIRST_FRAME_TAKEN)) return { ok: false, reason: `a first frame without "${UpgradeSubprotocol.FIRST_FRAME_TAKEN}"` };
  const encoded = frames[0]!.slice(FIRST_FRAME_ENTRY_PREFIX.length);
  // Refused before decoding when even its text is too long.
  if (encoded.length > base64UrlLength(maxFrameBytes)) return { ok: false, reason: `a first frame larger than ${maxFrameBytes} bytes` };
  const frame = fromBase64Url(encoded);
  if (!frame) return { ok: false, reason: 'a first frame that is not base64url' };
  if (frame.length > maxFrameBytes) return { ok: false, reason: `a first frame larger than ${maxFrameBytes} bytes` };
  try {
    utf8Decode(frame);
  } catch {
    return { ok: false, reason: 'a first frame that is not UTF-8' };
  }
  return { ok: true, frame };
}

/** The subprotocol a server answers an upgrade with: `sealed.first-frame` when it took a frame, else the first one offered (as `ws` does). */
export function answeredSubprotocol(offered: ReadonlySet<string>): string | false {
  for (const entry of offered) {
    if (entry.startsWith(FIRST_FRAME_ENTRY_PREFIX)) return UpgradeSubprotocol.FIRST_FRAME_TAKEN;
  }
  const first = offered.values().next();
  return first.done ? false : first.value;
}
