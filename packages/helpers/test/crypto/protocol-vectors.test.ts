import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NodeCryptoProvider } from '../../src/crypto/node-crypto-provider.ts';
import { PortableCryptoProvider } from '../../src/crypto/portable-crypto-provider.ts';
import type { CryptoProvider } from '../../src/crypto/crypto-provider.ts';
import { buildProtocolVectors } from '../vectors/protocol-vectors.ts';

const published = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../../docs/vectors/protocol-v1.json', import.meta.url)), 'utf8'),
) as Awaited<ReturnType<typeof buildProtocolVectors>>;

const providers: Array<[string, CryptoProvider]> = [
  ['node:crypto + libsodium', new NodeCryptoProvider()],
  ['noble + webcrypto', new PortableCryptoProvider()],
];

const bytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));
const base64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
const text = (value: string): Uint8Array => new TextEncoder().encode(value);
/** Frame header bytes (docs/protocol.md, "Encrypted frames"). */
const HEADER_BYTES = 14;

describe.each(providers)('docs/vectors/protocol-v1.json with %s', (_name, crypto) => {
  it('is what the code computes from the vectors\' inputs, byte for byte', async () => {
    expect(await buildProtocolVectors(crypto)).toEqual(published);
  });

  it.each(published.handshakes.map((vector) => [vector.name, vector] as const))(
    '%s: the steps of docs/protocol.md, done by hand with the primitives, give the same bytes',
    async (_vector, { input, expected }) => {
      // The server's signature covers the transcript hash.
      const serverIdentity = bytes(expected.serverIdentityPublic);
      expect(crypto.ed25519Verify(serverIdentity, bytes(expected.serverSignedMessage), base64(expected.serverHello.sig!))).toBe(true);
      expect(crypto.ed25519Verify(bytes(expected.clientIdentityPublic), bytes(expected.clientProofMessage), base64(expected.clientHello.sig))).toBe(true);
      // Traffic keys: HKDF-SHA-256 of the X25519 output, salt = transcript hash, one 64-byte expansion.
      const shared = crypto.x25519(bytes(input.clientEphemeralSecret), base64(expected.serverHello.e!));
      const keys = crypto.hkdfSha256(shared, bytes(expected.transcriptHash), text('sealed/v1 traffic keys'), 64);
      expect(Buffer.from(keys.subarray(0, 32)).toString('hex')).toBe(expected.clientToServerKey);
      expect(Buffer.from(keys.subarray(32)).toString('hex')).toBe(expected.serverToClientKey);
      // The first client frame: nonce = epoch (4 bytes) || sequence (8 bytes), AAD = header || transcript hash.
      const frame = bytes(expected.clientToServerFrames[0]!.frame);
      const header = frame.subarray(0, HEADER_BYTES);
      const nonce = frame.subarray(2, HEADER_BYTES);
      const aad = new Uint8Array([...header, ...bytes(expected.transcriptHash)]);
      const open = expected.suite === 'chacha20-poly1305' ? crypto.chacha20Poly1305Open.bind(crypto) : crypto.aesGcmOpen.bind(crypto);
      const plaintext = await open(keys.subarray(0, 32), nonce, frame.subarray(HEADER_BYTES), aad);
      expect(new TextDecoder().decode(plaintext)).toBe(expected.clientToServerFrames[0]!.plaintext);
      // The third frame is under the next key: epoch 1 in its header.
      expect(bytes(expected.clientToServerFrames[2]!.frame).subarray(2, 6)).toEqual(new Uint8Array([0, 0, 0, 1]));
    },
  );
});
