import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NodeCryptoProvider } from '../../src/crypto/node-crypto-provider.ts';
import { PortableCryptoProvider } from '../../src/crypto/portable-crypto-provider.ts';
import type { CryptoProvider } from '../../src/crypto/crypto-provider.ts';
import { buildProtocolVectors } from '../vectors/protocol-vectors.ts';

const published = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../../docs/vectors/protocol-v2.json', import.meta.url)), 'utf8'),
) as Awaited<ReturnType<typeof buildProtocolVectors>>;

const providers: Array<[string, CryptoProvider]> = [
  ['node:crypto + libsodium', new NodeCryptoProvider()],
  ['noble + webcrypto', new PortableCryptoProvider()],
];

const bytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));
const base64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
const text = (value: string): Uint8Array => new TextEncoder().encode(value);
/** Frame header bytes (docs/protocol.md, "Protected frames"). */
const HEADER_BYTES = 14;

describe.each(providers)('docs/vectors/protocol-v2.json with %s', (_name, crypto) => {
  it('is what the code computes from the vectors\' inputs, byte for byte', async () => {
    expect(await buildProtocolVectors(crypto)).toEqual(published);
  });

  it.each(published.handshakes.map((vector) => [vector.name, vector] as const))(
    '%s: the steps of docs/protocol.md, done by hand with the primitives, give the same bytes',
    async (_vector, { input, expected }) => {
      const open = expected.suite === 'chacha20-poly1305' ? crypto.chacha20Poly1305Open.bind(crypto) : crypto.aesGcmOpen.bind(crypto);
      const hexOf = (value: Uint8Array): string => Buffer.from(value).toString('hex');
      // The server's signature covers the transcript hash.
      const serverIdentity = bytes(expected.serverIdentityPublic);
      expect(crypto.ed25519Verify(serverIdentity, bytes(expected.serverSignedMessage), base64(expected.serverHello.sig))).toBe(true);
      // The finish key: HKDF-SHA-256 of the X25519 output, salt = TH; the box opens under it with a zero nonce and AAD = TH.
      const shared = crypto.x25519(bytes(input.clientEphemeralSecret), base64(expected.serverHello.e));
      expect(hexOf(shared)).toBe(expected.sharedSecret);
      const finishKey = crypto.hkdfSha256(shared, bytes(expected.transcriptHash), text('sealed/v2 finish key'), 32);
      expect(hexOf(finishKey)).toBe(expected.finishKey);
      const box = await open(finishKey, new Uint8Array(12), base64(expected.clientFinish.box), bytes(expected.transcriptHash));
      expect(box).toBeDefined();
      // The box: client identity (32), its signature (64), the credentials.
      expect(hexOf(box!.subarray(0, 32))).toBe(expected.clientIdentityPublic);
      expect(new TextDecoder().decode(box!.subarray(96))).toBe(input.credentials);
      expect(crypto.ed25519Verify(box!.subarray(0, 32), bytes(expected.clientSignedMessage), box!.subarray(32, 96))).toBe(true);
      // The session hash and the traffic keys: one 64-byte expansion, salt = SH.
      const session = crypto.sha256(
        new Uint8Array([...text('sealed/v2 session'), ...bytes(expected.transcriptHash), ...box!.subarray(0, 32), ...crypto.sha256(text(input.credentials))]),
      );
      expect(hexOf(session)).toBe(expected.sessionHash);
      const keys = crypto.hkdfSha256(shared, session, text('sealed/v2 traffic keys'), 64);
      expect(hexOf(keys.subarray(0, 32))).toBe(expected.clientToServerKey);
      expect(hexOf(keys.subarray(32))).toBe(expected.serverToClientKey);
      // The first client frame: nonce = epoch (4 bytes) || sequence (8 bytes), AAD = header || SH (then the plaintext, when authenticated only).
      const frame = bytes(expected.clientToServerFrames[0]!.frame);
      const header = frame.subarray(0, HEADER_BYTES);
      const nonce = frame.subarray(2, HEADER_BYTES);
      const aad = new Uint8Array([...header, ...session]);
      const expectedText = expected.clientToServerFrames[0]!.plaintext;
      if (input.level === 'encrypted') {
        expect(frame[0]).toBe(1);
        const plaintext = await open(keys.subarray(0, 32), nonce, frame.subarray(HEADER_BYTES), aad);
        expect(new TextDecoder().decode(plaintext)).toBe(expectedText);
      } else {
        expect(frame[0]).toBe(2);
        const body = frame.subarray(HEADER_BYTES, frame.length - 16);
        expect(new TextDecoder().decode(body)).toBe(expectedText);
        const verified = await open(keys.subarray(0, 32), nonce, frame.subarray(frame.length - 16), new Uint8Array([...aad, ...body]));
        expect(verified).toEqual(new Uint8Array(0));
      }
      // The third frame is under the next key: epoch 1 in its header.
      expect(bytes(expected.clientToServerFrames[2]!.frame).subarray(2, 6)).toEqual(new Uint8Array([0, 0, 0, 1]));
    },
  );
});
