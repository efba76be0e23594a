import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../src/crypto/crypto-provider.ts';
import { NodeCryptoProvider } from '../../src/crypto/node-crypto-provider.ts';
import { PortableCryptoProvider } from '../../src/crypto/portable-crypto-provider.ts';
import { AeadSuite } from '../../src/crypto/aead-suite.ts';
import { Direction, FrameKind, FrameLayout, SecureChannel, type RekeyPolicy } from '../../src/crypto/secure-channel.ts';

const native = new NodeCryptoProvider();
const portable = new PortableCryptoProvider();
const START_MS = 1_000_000;

interface Pair {
  client: SecureChannel;
  server: SecureChannel;
  keys: { c2s: Uint8Array; s2c: Uint8Array };
  transcript: Uint8Array;
}

function channelPair(
  options: { rekey?: RekeyPolicy; clientCrypto?: CryptoProvider; serverCrypto?: CryptoProvider; suite?: AeadSuite; kind?: FrameKind } = {},
): Pair {
  const c2s = native.randomBytes(32);
  const s2c = native.randomBytes(32);
  const transcript = native.randomBytes(32);
  const client = new SecureChannel({
    crypto: options.clientCrypto ?? native,
    sendDirection: Direction.CLIENT_TO_SERVER,
    sendKey: c2s.slice(),
    receiveKey: s2c.slice(),
    sessionHash: transcript,
    rekey: options.rekey,
    suite: options.suite,
    kind: options.kind,
    nowMs: START_MS,
  });
  const server = new SecureChannel({
    crypto: options.serverCrypto ?? native,
    sendDirection: Direction.SERVER_TO_CLIENT,
    sendKey: s2c.slice(),
    receiveKey: c2s.slice(),
    sessionHash: transcript,
    rekey: options.rekey,
    suite: options.suite,
    kind: options.kind,
    nowMs: START_MS,
  });
  return { client, server, keys: { c2s, s2c }, transcript };
}

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const read = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

async function openText(channel: SecureChannel, frame: Uint8Array): Promise<string | undefined> {
  const result = await channel.open(frame);
  return result.ok ? read(result.plaintext) : undefined;
}

describe('SecureChannel', () => {
  it('round-trips frames in both directions', async () => {
    const { client, server } = channelPair();
    expect(await openText(server, await client.seal(text('hello server'), START_MS))).toBe('hello server');
    expect(await openText(client, await server.seal(text('hello client'), START_MS))).toBe('hello client');
  });

  it('round-trips between the native and the portable provider', async () => {
    const { client, server } = channelPair({ clientCrypto: portable, serverCrypto: native });
    expect(await openText(server, await client.seal(text('from a browser'), START_MS))).toBe('from a browser');
    expect(await openText(client, await server.seal(text('to a browser'), START_MS))).toBe('to a browser');
  });

  it('seals and opens on many connections at once with an asynchronous AEAD, each frame under its own header and session', async () => {
    // WebCrypto's AES-GCM is asynchronous: while one frame awaits, frames of other connections are sealed and opened.
    const pairs = Array.from({ length: 4 }, () => channelPair({ clientCrypto: portable, serverCrypto: portable }));
    const FRAMES = 5;
    const sealed = await Promise.all(
      pairs.map((pair, p) =>
        Promise.all(
          Array.from({ length: FRAMES }, (_, i) => [
            pair.client.seal(text(`c${p}-${i}`), START_MS),
            pair.server.seal(text(`s${p}-${i}`), START_MS),
          ]).flat(),
        ),
      ),
    );
    const opened = await Promise.all(
      pairs.map(async (pair, p) => {
        const texts: Array<string | undefined> = [];
        for (const [i, frame] of sealed[p]!.entries()) texts.push(await openText(i % 2 === 0 ? pair.server : pair.client, frame));
        return texts;
      }),
    );
    pairs.forEach((_, p) => {
      expect(opened[p]).toEqual(Array.from({ length: FRAMES }, (_, i) => [`c${p}-${i}`, `s${p}-${i}`]).flat());
    });
  });

  it('round-trips ChaCha20-Poly1305 frames between the native and the portable provider', async () => {
    const { client, server } = channelPair({ clientCrypto: portable, serverCrypto: native, suite: AeadSuite.CHACHA20_POLY1305 });
    expect(await openText(server, await client.seal(text('chacha up'), START_MS))).toBe('chacha up');
    expect(await openText(client, await server.seal(text('chacha down'), START_MS))).toBe('chacha down');
  });

  it('does not open a frame sealed under the other suite with the same keys', async () => {
    const chacha = channelPair({ suite: AeadSuite.CHACHA20_POLY1305 });
    const frame = await chacha.client.seal(text('x'), START_MS);
    const transcript = chacha.transcript;
    const aesServer = new SecureChannel({
      crypto: native,
      sendDirection: Direction.SERVER_TO_CLIENT,
      sendKey: chacha.keys.s2c.slice(),
      receiveKey: chacha.keys.c2s.slice(),
      sessionHash: transcript,
      nowMs: START_MS,
    });
    expect((await aesServer.open(frame)).ok).toBe(false);
  });

  it('round-trips any plaintext (property)', async () => {
    const { client, server } = channelPair();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (plaintext) => {
        const result = await server.open(await client.seal(plaintext, START_MS));
        expect(result.ok && [...result.plaintext]).toEqual([...plaintext]);
      }),
      { numRuns: 200 },
    );
  });

  it.each(Object.values(AeadSuite))('refuses a %s frame with any single bit flipped, header or body (property)', async (suite) => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 256 }), fc.nat(), async (plaintext, position) => {
        const { client, server } = channelPair({ suite });
        const frame = (await client.seal(plaintext, START_MS)).slice();
        const bit = position % (frame.length * 8);
        frame[bit >> 3]! ^= 1 << (bit & 7);
        expect((await server.open(frame)).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  describe.each(Object.values(AeadSuite))('authenticated frames (%s)', (suite) => {
    it('carry the plaintext readable after the header, open in order across providers, in place or not', async () => {
      const { client, server } = channelPair({ suite, kind: FrameKind.AUTHENTICATED, clientCrypto: portable });
      const whole = await client.seal(text('{"event":"chat"}'), START_MS);
      expect(whole[0]).toBe(FrameKind.AUTHENTICATED);
      expect(read(whole.subarray(FrameLayout.HEADER_BYTES, whole.length - 16))).toBe('{"event":"chat"}');
      expect(await openText(server, whole)).toBe('{"event":"chat"}');
      const inPlace = new Uint8Array(server.sealedLength(5));
      server.sealInto(inPlace, text('reply'), START_MS);
      expect(await openText(client, inPlace)).toBe('reply');
      expect(await openText(client, await server.seal(text('again'), START_MS))).toBe('again');
    });

    it('refuses one with any single bit flipped, header, plaintext or tag (property)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 256 }), fc.nat(), async (plaintext, position) => {
          const { client, server } = channelPair({ suite, kind: FrameKind.AUTHENTICATED });
          const frame = (await client.seal(plaintext, START_MS)).slice();
          const bit = position % (frame.length * 8);
          frame[bit >> 3]! ^= 1 << (bit & 7);
          expect((await server.open(frame)).ok).toBe(false);
        }),
        { numRuns: 200 },
      );
    });

    it('refuses a frame of the other kind before touching the AEAD', async () => {
      const authenticated = channelPair({ suite, kind: FrameKind.AUTHENTICATED });
      const relabelled = (await authenticated.client.seal(text('x'), START_MS)).slice();
      relabelled[0] = FrameKind.ENCRYPTED;
      expect(await authenticated.server.open(relabelled)).toEqual({ ok: false, code: 'MALFORMED' });
      const encrypted = channelPair({ suite });
      const other = (await encrypted.client.seal(text('x'), START_MS)).slice();
      other[0] = FrameKind.AUTHENTICATED;
      expect(await encrypted.server.open(other)).toEqual({ ok: false, code: 'MALFORMED' });
    });
  });

  it.each(Object.values(AeadSuite))('seals %s frames in place inside a larger buffer, in sequence with seal, touching nothing around them', async (suite) => {
    const { client, server } = channelPair({ suite });
    const first = text('sealed into a slice');
    const sentinel = 0xa5;
    const margin = 7;
    const buffer = new Uint8Array(margin + server.sealedLength(first.length) + margin).fill(sentinel);
    server.sealInto(buffer.subarray(margin, buffer.length - margin), first, START_MS);
    const second = await server.seal(text('then a whole frame'), START_MS);
    const third = new Uint8Array(server.sealedLength(5));
    server.sealInto(third, text('third'), START_MS);
    expect([...buffer.subarray(0, margin), ...buffer.subarray(buffer.length - margin)]).toEqual(Array(2 * margin).fill(sentinel));
    expect(await openText(client, buffer.slice(margin, buffer.length - margin))).toBe('sealed into a slice');
    expect(await openText(client, second)).toBe('then a whole frame');
    expect(await openText(client, third)).toBe('third');
  });

  it('refuses a target of the wrong size without using a sequence number', async () => {
    const { client, server } = channelPair();
    const plaintext = text('sized');
    expect(() => server.sealInto(new Uint8Array(server.sealedLength(plaintext.length) - 1), plaintext, START_MS)).toThrow(RangeError);
    expect(await openText(client, await server.seal(plaintext, START_MS))).toBe('sized');
  });

  it('seals in place only with a provider that seals synchronously', async () => {
    const { client, server } = channelPair({ serverCrypto: portable });
    expect(server.canSealInPlace).toBe(false);
    expect(() => server.sealInto(new Uint8Array(server.sealedLength(1)), text('x'), START_MS)).toThrow(/cannot seal in place/);
    expect(channelPair().server.canSealInPlace).toBe(true);
    expect(await openText(client, await server.seal(text('the portable way'), START_MS))).toBe('the portable way');
  });

  it('refuses a replayed frame', async () => {
    const { client, server } = channelPair();
    const frame = await client.seal(text('once'), START_MS);
    expect(await openText(server, frame)).toBe('once');
    expect(await server.open(frame)).toEqual({ ok: false, code: 'OUT_OF_ORDER' });
  });

  it('refuses reordered frames', async () => {
    const { client, server } = channelPair();
    await client.seal(text('first'), START_MS);
    const second = await client.seal(text('second'), START_MS);
    expect(await server.open(second)).toEqual({ ok: false, code: 'OUT_OF_ORDER' });
  });

  it('refuses everything after a dropped frame', async () => {
    const { client, server } = channelPair();
    const first = await client.seal(text('first'), START_MS);
    const second = await client.seal(text('second'), START_MS);
    expect((await server.open(second)).ok).toBe(false);
    expect((await server.open(first)).ok).toBe(false);
    expect(server.closed).toBe(true);
  });

  it('refuses a frame reflected back to its sender', async () => {
    const { client } = channelPair();
    const frame = await client.seal(text('mine'), START_MS);
    expect(await client.open(frame)).toEqual({ ok: false, code: 'WRONG_DIRECTION' });
  });

  it('refuses a reflected frame even with its direction byte rewritten', async () => {
    const { client } = channelPair();
    const frame = (await client.seal(text('mine'), START_MS)).slice();
    frame[FrameLayout.DIRECTION_OFFSET] = Direction.SERVER_TO_CLIENT;
    expect(await client.open(frame)).toEqual({ ok: false, code: 'BAD_TAG' });
  });

  it('refuses a frame from another connection', async () => {
    const first = channelPair();
    const second = channelPair();
    const frame = await first.client.seal(text('elsewhere'), START_MS);
    expect(await second.server.open(frame)).toEqual({ ok: false, code: 'BAD_TAG' });
  });

  it('stays closed after a refusal: later valid frames are refused too', async () => {
    const { client, server } = channelPair();
    const frame = (await client.seal(text('x'), START_MS)).slice();
    frame[frame.length - 1]! ^= 1;
    expect((await server.open(frame)).ok).toBe(false);
    expect(await server.open(await client.seal(text('y'), START_MS))).toEqual({ ok: false, code: 'CLOSED' });
  });

  it('rekeys by message count, zeroes the old key, and traffic continues', async () => {
    const { client, server } = channelPair({ rekey: { afterMessages: 3, afterMs: Number.MAX_SAFE_INTEGER } });
    const seen: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const opened = await openText(server, await client.seal(text(`m${i}`), START_MS));
      seen.push(opened ?? 'refused');
    }
    expect(seen).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']);
    expect(client.epochs.send).toBe(3);
    expect(server.epochs.receive).toBe(3);
  });

  it('rekeys by time', async () => {
    const afterMs = 60_000;
    const { client, server } = channelPair({ rekey: { afterMessages: Number.MAX_SAFE_INTEGER, afterMs } });
    expect(await openText(server, await client.seal(text('before'), START_MS))).toBe('before');
    expect(await openText(server, await client.seal(text('after'), START_MS + afterMs))).toBe('after');
    expect(client.epochs.send).toBe(1);
    expect(server.epochs.receive).toBe(1);
  });

  it('zeroes the keys it replaced and the keys it held when closed', async () => {
    const c2s = native.randomBytes(32);
    const transcript = native.randomBytes(32);
    const channel = new SecureChannel({
      crypto: native,
      sendDirection: Direction.CLIENT_TO_SERVER,
      sendKey: c2s,
      receiveKey: native.randomBytes(32),
      sessionHash: transcript,
      rekey: { afterMessages: 1, afterMs: Number.MAX_SAFE_INTEGER },
      nowMs: START_MS,
    });
    await channel.seal(text('a'), START_MS);
    await channel.seal(text('b'), START_MS);
    expect(c2s.every((byte) => byte === 0)).toBe(true);
    channel.close();
    expect(() => channel.seal(text('c'), START_MS)).toThrow(/closed/);
  });

  it('refuses a frame whose open was under way when the channel closed, and installs no key for it', async () => {
    for (const serverCrypto of [native, portable]) {
      const { client, server } = channelPair({ rekey: { afterMessages: 1, afterMs: Number.MAX_SAFE_INTEGER }, serverCrypto });
      expect(await openText(server, await client.seal(text('e0'), START_MS))).toBe('e0');
      // The next frame is under the next key: opening it derives that key.
      const opening = server.open(await client.seal(text('e1'), START_MS));
      server.close();
      expect(await opening).toEqual({ ok: false, code: 'CLOSED' });
      expect(server.epochs.receive).toBe(0);
    }
  });

  it('refuses a frame from a skipped epoch', async () => {
    const { client, server } = channelPair({ rekey: { afterMessages: 1, afterMs: Number.MAX_SAFE_INTEGER } });
    const first = await client.seal(text('e0'), START_MS);
    await openText(server, first);
    await client.seal(text('e1'), START_MS);
    const third = await client.seal(text('e2'), START_MS);
    expect((await server.open(third)).ok).toBe(false);
  });
});
