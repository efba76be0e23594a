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

  it.each(published.resumptions.map((vector) => [vector.name, vector] as const))(
    '%s: the resumption steps of docs/protocol.md, done by hand with the primitives, give the same bytes',
    async (_vector, { input, expected }) => {
      const hexOf = (value: Uint8Array): string => Buffer.from(value).toString('hex');
      const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(parts.flatMap((part) => [...part]));
      const full = published.handshakes[0]!.expected;
      // RS from the full handshake, then the ticket's secret from RS and the ticket id (bytes 1-16 of the ticket).
      const rs = crypto.hkdfSha256(bytes(full.sharedSecret), bytes(full.sessionHash), text('sealed/v2 resumption'), 32);
      expect(hexOf(rs)).toBe(expected.resumptionSecret);
      const ticket = bytes(expected.ticket);
      expect(hexOf(base64(expected.ticketFrame.ticket))).toBe(expected.ticket);
      expect(ticket[0]).toBe(2);
      const id = ticket.subarray(1, 17);
      expect(hexOf(id)).toBe(input.ticketId);
      const psk = crypto.hkdfSha256(rs, id, text('sealed/v2 ticket secret'), 32);
      expect(hexOf(psk)).toBe(expected.ticketSecret);
      // The default kit's box: opened with the key from the server identity and the id.
      const seed = bytes(input.fromHandshake.serverIdentitySeed);
      const master = crypto.hkdfSha256(seed, crypto.ed25519PublicKey(seed), text('sealed/v2 ticket master'), 32);
      const ticketKey = crypto.hkdfSha256(master, id, text('sealed/v2 ticket key'), 32);
      const contents = await crypto.chacha20Poly1305Open(ticketKey, new Uint8Array(12), ticket.subarray(17), concat(text('sealed/v2 ticket'), new Uint8Array([2]), id));
      expect(JSON.parse(new TextDecoder().decode(contents))).toEqual({
        exp: input.ticketExpiresAtMs,
        level: 'encrypted',
        suite: 'chacha20-poly1305',
        cid: Buffer.from(bytes(full.clientIdentityPublic)).toString('base64'),
        psk: Buffer.from(psk).toString('base64'),
        user: input.userId,
      });
      // TH_r: its label, the TH fields (version, level 2, accepted mask, offered mask, suite, ts, e_c, n, e_s, server id), SHA-256(ticket).
      const time = new Uint8Array(8);
      new DataView(time.buffer).setBigUint64(0, BigInt(input.timestampMs));
      const transcript = crypto.sha256(
        concat(
          text('sealed/v2 resume transcript'),
          new Uint8Array([2, 2, 1 << 2, (1 << 1) | (1 << 2), 2]),
          time,
          base64(expected.clientHello.e),
          bytes(input.clientNonce),
          base64(expected.serverHello.e),
          bytes(full.serverIdentityPublic),
          crypto.sha256(ticket),
        ),
      );
      expect(hexOf(transcript)).toBe(expected.resumeTranscriptHash);
      // The fresh exchange, mixed with the ticket secret: the server's proof, then the finish key and the box with the credentials.
      const shared = crypto.x25519(bytes(input.clientEphemeralSecret), base64(expected.serverHello.e));
      expect(hexOf(shared)).toBe(expected.sharedSecret);
      const material = concat(shared, psk);
      expect(Buffer.from(crypto.hkdfSha256(material, transcript, text('sealed/v2 resume proof'), 32)).toString('base64')).toBe(expected.serverHello.proof);
      const finishKey = crypto.hkdfSha256(material, transcript, text('sealed/v2 resume finish key'), 32);
      expect(hexOf(finishKey)).toBe(expected.resumeFinishKey);
      const credentials = await crypto.chacha20Poly1305Open(finishKey, new Uint8Array(12), base64(expected.clientFinish.box), transcript);
      expect(new TextDecoder().decode(credentials)).toBe(input.credentials);
      // SH_r binds the ticket's client identity; the keys come from the same material.
      const session = crypto.sha256(concat(text('sealed/v2 session'), transcript, bytes(full.clientIdentityPublic), crypto.sha256(text(input.credentials))));
      expect(hexOf(session)).toBe(expected.sessionHash);
      const keys = crypto.hkdfSha256(material, session, text('sealed/v2 traffic keys'), 64);
      expect(hexOf(keys.subarray(0, 32))).toBe(expected.clientToServerKey);
      expect(hexOf(keys.subarray(32))).toBe(expected.serverToClientKey);
      const frame = bytes(expected.clientToServerFrames[0]!.frame);
      const plaintext = await crypto.chacha20Poly1305Open(keys.subarray(0, 32), frame.subarray(2, HEADER_BYTES), frame.subarray(HEADER_BYTES), concat(frame.subarray(0, HEADER_BYTES), session));
      expect(new TextDecoder().decode(plaintext)).toBe(expected.clientToServerFrames[0]!.plaintext);
    },
  );
});
