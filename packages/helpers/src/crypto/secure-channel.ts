import { AeadSuite } from './aead-suite.ts';
import { concatBytes, readUint64, writeUint32, writeUint64, zeroize } from './bytes.ts';
import { CryptoSizes, type CryptoProvider } from './crypto-provider.ts';
import { nextTrafficKey } from './key-schedule.ts';
import { openWithSuite, sealIntoWithSuite, sealWithSuite } from './suite-aead.ts';
import { SealedError } from '../protocol/sealed-error.ts';
import { UsageErrorCode } from '../protocol/usage-error-codes.ts';

/** Which way a frame travels; part of every header and every AAD. */
export const Direction = {
  CLIENT_TO_SERVER: 1,
  SERVER_TO_CLIENT: 2,
} as const;

export type Direction = (typeof Direction)[keyof typeof Direction];

/** The first byte of a protected frame: what protects it. */
export const FrameKind = {
  /** Level `encrypted`: the body is the AEAD ciphertext of the plaintext, then the tag. */
  ENCRYPTED: 1,
  /** Level `authenticated`: the body is the plaintext, then an AEAD tag over it (no ciphertext). */
  AUTHENTICATED: 2,
} as const;

export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/**
 * Protected frame layout (all integers big-endian):
 *
 * ```
 * offset 0   u8   kind (1 encrypted, 2 authenticated)
 * offset 1   u8   direction (1 client->server, 2 server->client)
 * offset 2   u32  key epoch (0 at start, +1 per rekey)
 * offset 6   u64  sequence number (0, 1, 2, ... per direction, never reset)
 * offset 14  ...  encrypted: the ciphertext; authenticated: the plaintext
 * then            the 16-byte tag
 * ```
 *
 * The nonce is `epoch || sequence` (12 bytes). The AAD is the 14-byte header
 * followed by the 32-byte session hash; at `authenticated` the plaintext
 * follows them in the AAD and nothing is encrypted.
 */
export const FrameLayout = Object.freeze({
  KIND_OFFSET: 0,
  DIRECTION_OFFSET: 1,
  EPOCH_OFFSET: 2,
  SEQUENCE_OFFSET: 6,
  HEADER_BYTES: 14,
  NONCE_BYTES: CryptoSizes.GCM_NONCE_BYTES,
});

/** The empty plaintext an authenticated frame's tag is computed over (its bytes are all in the AAD). */
const EMPTY = new Uint8Array(0);

/** Rekey thresholds; whichever comes first starts a new epoch. */
export interface RekeyPolicy {
  /** Frames sent under one key before the next. */
  afterMessages: number;
  /** Milliseconds one key is used before the next. */
  afterMs: number;
}

/** Defaults of {@link RekeyPolicy}. */
export const REKEY_DEFAULTS: Readonly<RekeyPolicy> = Object.freeze({ afterMessages: 1_000_000, afterMs: 10 * 60 * 1000 });

/** Why a frame was refused. Any refusal ends the channel. */
export type ChannelFailure =
  | 'MALFORMED'
  | 'WRONG_DIRECTION'
  | 'BAD_EPOCH'
  | 'OUT_OF_ORDER'
  | 'BAD_TAG'
  | 'CLOSED'
  | 'SEQUENCE_EXHAUSTED';

export type OpenResult = { ok: true; plaintext: Uint8Array } | { ok: false; code: ChannelFailure };

/** Construction parameters of a {@link SecureChannel}. */
export interface SecureChannelInit {
  crypto: CryptoProvider;
  /** The direction this side sends in; it receives in the other. */
  sendDirection: Direction;
  sendKey: Uint8Array;
  receiveKey: Uint8Array;
  /** The handshake's session hash, bound into every frame. */
  sessionHash: Uint8Array;
  /** Encrypt frames (level `encrypted`), or only authenticate them (level `authenticated`). Encrypt when not given. */
  kind?: FrameKind;
  /** The AEAD agreed in the handshake; AES-256-GCM when not given. */
  suite?: AeadSuite;
  rekey?: RekeyPolicy;
  /** Told each time a direction moves to its next key, for metrics. */
  onRekey?: () => void;
  /** Time the channel starts, in ms; rekey by time counts from it. */
  nowMs: number;
}

/**
 * One side of a protected connection: seals outbound frames and opens
 * inbound ones with the agreed AEAD (AES-256-GCM or ChaCha20-Poly1305),
 * encrypting them (level `encrypted`) or only authenticating them (level
 * `authenticated`), counter nonces per direction, a strict
 * sequence check (a replayed, reordered, dropped, reflected or foreign frame
 * is refused), and a one-way rekey by count and time with old keys zeroed.
 * After any refusal the channel is closed for good.
 *
 * Pure: bytes in, bytes out; the caller passes the time. `open` calls must
 * not overlap (each may await the AEAD).
 */
export class SecureChannel {
  readonly #crypto: CryptoProvider;
  readonly #suite: AeadSuite;
  readonly #sendDirection: Direction;
  readonly #receiveDirection: Direction;
  readonly #sessionHash: Uint8Array;
  readonly #kind: FrameKind;
  readonly #rekey: RekeyPolicy;
  // Each direction's state is kept in fields of the channel itself, not in an object per direction: a connection lives long.
  #sendKey: Uint8Array;
  #sendEpoch = 0;
  /** The next frame's sequence number in the send direction. */
  #sendSequence = 0;
  /** Frames sent under the current key. */
  #sentInEpoch = 0;
  /** When the current send key was taken, in ms from `#startedAt` (a small integer, not a boxed time). */
  #sendEpochStartedAfter = 0;
  readonly #startedAt: number;
  #receiveKey: Uint8Array;
  #receiveEpoch = 0;
  /** The sequence number the next frame received must carry. */
  #receiveSequence = 0;
  /** The provider's in-place seal for the agreed suite, when it has one (a method of `#crypto`). */
  readonly #sealInto: CryptoProvider['chacha20Poly1305SealInto'];
  readonly #onRekey: (() => void) | undefined;
  #closed = false;
  #rekeys = 0;

  constructor(init: SecureChannelInit) {
    this.#crypto = init.crypto;
    this.#suite = init.suite ?? AeadSuite.AES_256_GCM;
    this.#sendDirection = init.sendDirection;
    this.#receiveDirection =
      init.sendDirection === Direction.CLIENT_TO_SERVER ? Direction.SERVER_TO_CLIENT : Direction.CLIENT_TO_SERVER;
    this.#sessionHash = init.sessionHash;
    this.#kind = init.kind ?? FrameKind.ENCRYPTED;
    this.#rekey = init.rekey ?? REKEY_DEFAULTS;
    this.#onRekey = init.onRekey;
    this.#sendKey = init.sendKey;
    this.#receiveKey = init.receiveKey;
    this.#startedAt = init.nowMs;
    this.#sealInto = sealIntoWithSuite(init.crypto, this.#suite);
  }

  /** Whether frames are encrypted (level `encrypted`) or only authenticated. */
  get kind(): FrameKind {
    return this.#kind;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Keys replaced so far, both directions together. */
  get rekeys(): number {
    return this.#rekeys;
  }

  /** The epoch of each direction, for diagnostics and tests. */
  get epochs(): { send: number; receive: number } {
    return { send: this.#sendEpoch, receive: this.#receiveEpoch };
  }

  /** Whether `sealInto` is available: the provider seals synchronously into a given buffer. */
  get canSealInPlace(): boolean {
    return this.#sealInto !== undefined;
  }

  /** Bytes of the frame that seals a plaintext of `plaintextLength` bytes. */
  sealedLength(plaintextLength: number): number {
    return FrameLayout.HEADER_BYTES + plaintextLength + CryptoSizes.GCM_TAG_BYTES;
  }

  /**
   * Seals one plaintext into a frame. The sequence number is taken at call
   * time, so frames must be sent in the order `seal` was called.
   *
   * @throws Error when the channel is closed or its sequence space is used up.
   */
  seal(plaintext: Uint8Array, nowMs: number): Uint8Array | Promise<Uint8Array> {
    if (this.canSealInPlace) {
      const frame = new Uint8Array(this.sealedLength(plaintext.length));
      this.sealInto(frame, plaintext, nowMs);
      return frame;
    }
    const sequence = this.#nextSend(nowMs);
    const key = this.#sendKey;
    const header = new Uint8Array(FrameLayout.HEADER_BYTES);
    writeHeader(header, this.#kind, this.#sendDirection, this.#sendEpoch, sequence);
    const aad = frameAad(header, this.#sessionHash);
    const nonce = header.subarray(FrameLayout.EPOCH_OFFSET);
    if (this.#kind === FrameKind.AUTHENTICATED) {
      const tag = sealWithSuite(this.#crypto, this.#suite, key, nonce, EMPTY, concatBytes(aad.bytes, plaintext));
      return tag instanceof Promise ? tag.then((bytes) => concatBytes(header, plaintext, bytes)) : concatBytes(header, plaintext, tag);
    }
    const sealed = sealWithSuite(this.#crypto, this.#suite, key, nonce, plaintext, aad.bytes);
    return sealed instanceof Promise ? sealed.then((body) => concatBytes(header, body)) : concatBytes(header, sealed);
  }

  /**
   * Seals one plaintext straight into `target`, which must be exactly
   * `sealedLength(plaintext.length)` bytes: no allocation per frame. Same
   * ordering rule as `seal`.
   *
   * @throws Error when the provider cannot seal in place (see
   *   `canSealInPlace`), the target has the wrong size, the channel is closed
   *   or its sequence space is used up.
   */
  sealInto(target: Uint8Array, plaintext: Uint8Array, nowMs: number): void {
    const sealInto = this.#sealInto;
    if (!sealInto) throw new SealedError(UsageErrorCode.IN_PLACE_UNSUPPORTED, 'This crypto provider cannot seal in place');
    if (target.length !== this.sealedLength(plaintext.length)) throw new RangeError('Target is not the sealed length of the plaintext');
    const sequence = this.#nextSend(nowMs);
    // The header is written into the AAD buffer, whose first bytes are also the nonce's source.
    const aad = frameAad(undefined, this.#sessionHash);
    writeHeader(aad.bytes, this.#kind, this.#sendDirection, this.#sendEpoch, sequence);
    target.set(aad.header, 0);
    if (this.#kind === FrameKind.AUTHENTICATED) {
      const tagOffset = FrameLayout.HEADER_BYTES + plaintext.length;
      target.set(plaintext, FrameLayout.HEADER_BYTES);
      sealInto.call(this.#crypto, target.subarray(tagOffset), this.#sendKey, aad.nonce, EMPTY, concatBytes(aad.bytes, plaintext));
      return;
    }
    sealInto.call(this.#crypto, target.subarray(FrameLayout.HEADER_BYTES), this.#sendKey, aad.nonce, plaintext, aad.bytes);
  }

  /**
   * Opens one frame: checks version, direction, epoch and sequence before
   * touching the AEAD, then the tag before any plaintext is released.
   */
  async open(frame: Uint8Array): Promise<OpenResult> {
    const checked = this.#checkHeader(frame);
    if (!checked.ok) return this.#fail(checked.code);
    const { header, nextEpoch } = checked;
    const key = nextEpoch ? nextTrafficKey(this.#crypto, this.#receiveKey, this.#sessionHash) : this.#receiveKey;
    // Reserve the sequence number now: a second frame with the same number is refused even while this one is open.
    this.#receiveSequence += 1;
    const plaintext = await this.#openBody(key, header, frame.subarray(FrameLayout.HEADER_BYTES));
    if (this.#closed) {
      // Closed while the AEAD ran: its keys are zeroed, and a next key made for this frame is zeroed too, never installed.
      if (nextEpoch) zeroize(key);
      return { ok: false, code: 'CLOSED' };
    }
    if (!plaintext) {
      if (nextEpoch) zeroize(key);
      return this.#fail('BAD_TAG');
    }
    if (nextEpoch) {
      zeroize(this.#receiveKey);
      this.#receiveKey = key;
      this.#receiveEpoch += 1;
      this.#countRekey();
    }
    return { ok: true, plaintext };
  }

  /** The body's plaintext once its tag verified under `key`; `undefined` when it does not. */
  async #openBody(key: Uint8Array, header: Uint8Array, body: Uint8Array): Promise<Uint8Array | undefined> {
    const nonce = nonceOf(header);
    const aad = frameAad(header, this.#sessionHash).bytes;
    if (this.#kind === FrameKind.ENCRYPTED) return openWithSuite(this.#crypto, this.#suite, key, nonce, body, aad);
    const tagOffset = body.length - CryptoSizes.GCM_TAG_BYTES;
    const plaintext = body.subarray(0, tagOffset);
    const verified = await openWithSuite(this.#crypto, this.#suite, key, nonce, body.subarray(tagOffset), concatBytes(aad, plaintext));
    return verified ? plaintext.slice() : undefined;
  }

  /** Zeroes both keys; every later seal or open fails. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    zeroize(this.#sendKey);
    zeroize(this.#receiveKey);
  }

  #checkHeader(frame: Uint8Array): { ok: true; header: Uint8Array; nextEpoch: boolean } | { ok: false; code: ChannelFailure } {
    if (this.#closed) return { ok: false, code: 'CLOSED' };
    if (frame.length < FrameLayout.HEADER_BYTES + CryptoSizes.GCM_TAG_BYTES) return { ok: false, code: 'MALFORMED' };
    if (frame[FrameLayout.KIND_OFFSET] !== this.#kind) return { ok: false, code: 'MALFORMED' };
    if (frame[FrameLayout.DIRECTION_OFFSET] !== this.#receiveDirection) return { ok: false, code: 'WRONG_DIRECTION' };
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const epoch = view.getUint32(FrameLayout.EPOCH_OFFSET);
    const sequence = readUint64(frame, FrameLayout.SEQUENCE_OFFSET);
    const current = this.#receiveEpoch;
    if (epoch !== current && epoch !== current + 1) return { ok: false, code: 'BAD_EPOCH' };
    if (sequence !== this.#receiveSequence) return { ok: false, code: 'OUT_OF_ORDER' };
    return { ok: true, header: frame.subarray(0, FrameLayout.HEADER_BYTES), nextEpoch: epoch === current + 1 };
  }

  /** Moves the send direction to its next key. */
  #rotate(nowMs: number): void {
    const next = nextTrafficKey(this.#crypto, this.#sendKey, this.#sessionHash);
    zeroize(this.#sendKey);
    this.#sendKey = next;
    this.#sendEpoch += 1;
    this.#sentInEpoch = 0;
    this.#sendEpochStartedAfter = nowMs - this.#startedAt;
    this.#countRekey();
  }

  #countRekey(): void {
    this.#rekeys += 1;
    this.#onRekey?.();
  }

  /**
   * Takes the next sequence number of the send direction and returns it,
   * rotating the key first when the policy says so (the frame then goes
   * under `#sendKey` and `#sendEpoch` as they are on return).
   */
  #nextSend(nowMs: number): number {
    if (this.#closed) throw new SealedError(UsageErrorCode.CHANNEL_CLOSED, 'Secure channel is closed');
    if (this.#sentInEpoch >= this.#rekey.afterMessages || nowMs - this.#startedAt - this.#sendEpochStartedAfter >= this.#rekey.afterMs) {
      this.#rotate(nowMs);
    }
    const sequence = this.#sendSequence;
    if (sequence >= Number.MAX_SAFE_INTEGER) {
      this.close();
      throw new SealedError(UsageErrorCode.SEQUENCE_EXHAUSTED, 'Secure channel sequence numbers exhausted');
    }
    this.#sendSequence = sequence + 1;
    this.#sentInEpoch += 1;
    return sequence;
  }

  #fail(failure: ChannelFailure): OpenResult {
    this.close();
    return { ok: false, code: failure };
  }
}

/** An AAD buffer (header, then session hash) with views of its header and nonce. */
interface AadScratch {
  readonly bytes: Uint8Array;
  readonly header: Uint8Array;
  readonly nonce: Uint8Array;
}

function aadScratch(sessionHashLength: number): AadScratch {
  const bytes = new Uint8Array(FrameLayout.HEADER_BYTES + sessionHashLength);
  const header = bytes.subarray(0, FrameLayout.HEADER_BYTES);
  return { bytes, header, nonce: nonceOf(header) };
}

/**
 * One AAD buffer for every channel of the process, filled right before each
 * AEAD call: providers read the AAD and the nonce before they return (an
 * asynchronous one copies them before it awaits), so nothing else can
 * write it in between. Kept per channel, it cost each connection two
 * buffers and four views.
 */
let scratch = aadScratch(CryptoSizes.SHA256_BYTES);

/** The frame's AAD: `header` (written by the caller into the header view when not given), then the session hash. */
function frameAad(header: Uint8Array | undefined, sessionHash: Uint8Array): AadScratch {
  if (scratch.bytes.length !== FrameLayout.HEADER_BYTES + sessionHash.length) scratch = aadScratch(sessionHash.length);
  if (header) scratch.bytes.set(header, 0);
  scratch.bytes.set(sessionHash, FrameLayout.HEADER_BYTES);
  return scratch;
}

/** Writes a frame header at the start of `target`. */
function writeHeader(target: Uint8Array, kind: FrameKind, direction: Direction, epoch: number, sequence: number): void {
  target[FrameLayout.KIND_OFFSET] = kind;
  target[FrameLayout.DIRECTION_OFFSET] = direction;
  writeUint32(target, FrameLayout.EPOCH_OFFSET, epoch);
  writeUint64(target, FrameLayout.SEQUENCE_OFFSET, sequence);
}

/** The 12-byte nonce: epoch (4) and sequence (8), straight from the header. */
function nonceOf(header: Uint8Array): Uint8Array {
  return header.subarray(FrameLayout.EPOCH_OFFSET, FrameLayout.EPOCH_OFFSET + FrameLayout.NONCE_BYTES);
}
