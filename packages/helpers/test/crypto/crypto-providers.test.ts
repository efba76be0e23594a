import { describe, expect, it } from 'vitest';
import { NodeCryptoProvider } from '../../src/crypto/node-crypto-provider.ts';
import { PortableCryptoProvider } from '../../src/crypto/portable-crypto-provider.ts';
import { checkX25519PublicKey } from '../../src/crypto/x25519-public-key.ts';
import type { CryptoProvider } from '../../src/crypto/crypto-provider.ts';
import { bytesHex, hexBytes, loadVectors, type WycheproofTest } from './wycheproof.ts';

const providers: Array<[string, CryptoProvider]> = [
  ['node:crypto', new NodeCryptoProvider()],
  ['noble+webcrypto', new PortableCryptoProvider()],
];

const AES_256_KEY_BITS = 256;
const GCM_NONCE_BITS = 96;

const x25519 = loadVectors('x25519_test.json').testGroups.flatMap((group) => group.tests);
const x25519Computable = x25519.filter((test) => !test.flags.includes('ZeroSharedSecret'));
const x25519LowOrder = x25519.filter((test) => test.flags.includes('ZeroSharedSecret'));
const ed25519 = loadVectors<{ publicKey: { pk: string } }>('ed25519_test.json').testGroups.flatMap((group) =>
  group.tests.map((test): WycheproofTest & { pk: string } => ({ ...test, pk: group.publicKey.pk })),
);
const hkdf = loadVectors('hkdf_sha256_test.json').testGroups.flatMap((group) => group.tests);
const aesGcm = loadVectors<{ keySize: number; ivSize: number }>('aes_gcm_test.json')
  .testGroups.filter((group) => group.keySize === AES_256_KEY_BITS && group.ivSize === GCM_NONCE_BITS)
  .flatMap((group) => group.tests);

describe.each(providers)('%s against Wycheproof', (_name, provider) => {
  it(`computes every X25519 shared secret (${x25519Computable.length} vectors)`, () => {
    for (const test of x25519Computable) {
      const shared = provider.x25519(hexBytes(test.private), hexBytes(test.public));
      expect(bytesHex(shared), `tcId ${test.tcId}`).toBe(test.shared);
    }
  });

  it(`verifies Ed25519 signatures exactly as the vectors say (${ed25519.length} vectors)`, () => {
    for (const test of ed25519) {
      const verified = provider.ed25519Verify(hexBytes(test.pk), hexBytes(test.msg), hexBytes(test.sig));
      expect(verified, `tcId ${test.tcId} ${test.comment}`).toBe(test.result === 'valid');
    }
  });

  it(`derives every HKDF-SHA-256 output and refuses oversize ones (${hkdf.length} vectors)`, () => {
    for (const test of hkdf) {
      const derive = (): Uint8Array =>
        provider.hkdfSha256(hexBytes(test.ikm), hexBytes(test.salt), hexBytes(test.info), test.size as number);
      if (test.result === 'valid') expect(bytesHex(derive()), `tcId ${test.tcId}`).toBe(test.okm);
      else expect(derive, `tcId ${test.tcId}`).toThrow();
    }
  });

  it(`seals and opens AES-256-GCM with 96-bit nonces, refusing every forgery (${aesGcm.length} vectors)`, async () => {
    for (const test of aesGcm) {
      const [key, nonce, aad, message] = [test.key, test.iv, test.aad, test.msg].map(hexBytes) as [
        Uint8Array,
        Uint8Array,
        Uint8Array,
        Uint8Array,
      ];
      const sealed = hexBytes(`${test.ct as string}${test.tag as string}`);
      const opened = await provider.aesGcmOpen(key, nonce, sealed, aad);
      if (test.result === 'valid') {
        expect(bytesHex(await provider.aesGcmSeal(key, nonce, message, aad)), `tcId ${test.tcId}`).toBe(bytesHex(sealed));
        expect(opened && bytesHex(opened), `tcId ${test.tcId}`).toBe(test.msg);
      } else {
        expect(opened, `tcId ${test.tcId} ${test.comment}`).toBeUndefined();
      }
    }
  });
});

/** RFC 8439 §2.8.2, the AEAD_CHACHA20_POLY1305 test vector. */
const RFC_8439 = {
  key: Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i),
  nonce: hexBytes('070000004041424344454647'),
  aad: hexBytes('50515253c0c1c2c3c4c5c6c7'),
  plaintext: new TextEncoder().encode("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."),
  ciphertext:
    'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116',
  tag: '1ae10b594f09e26a7e902ecbd0600691',
};

describe.each(providers)('%s ChaCha20-Poly1305', (_name, provider) => {
  it('seals the RFC 8439 test vector', async () => {
    const sealed = await provider.chacha20Poly1305Seal(RFC_8439.key, RFC_8439.nonce, RFC_8439.plaintext, RFC_8439.aad);
    expect(bytesHex(sealed)).toBe(RFC_8439.ciphertext + RFC_8439.tag);
  });

  it('opens it, and refuses it with any byte changed', async () => {
    const sealed = hexBytes(RFC_8439.ciphertext + RFC_8439.tag);
    const opened = await provider.chacha20Poly1305Open(RFC_8439.key, RFC_8439.nonce, sealed, RFC_8439.aad);
    expect(bytesHex(opened!)).toBe(bytesHex(RFC_8439.plaintext));
    for (const index of [0, 57, sealed.length - 1]) {
      const forged = sealed.slice();
      forged[index]! ^= 0x01;
      expect(await provider.chacha20Poly1305Open(RFC_8439.key, RFC_8439.nonce, forged, RFC_8439.aad)).toBeUndefined();
    }
    expect(await provider.chacha20Poly1305Open(RFC_8439.key, RFC_8439.nonce, sealed, new Uint8Array(0))).toBeUndefined();
  });
});

// libsodium's own conversion test (test/default/ed25519_convert.c): a seed, and the X25519 keys of its key pair.
const CONVERSION_SEED = '421151a459faeade3d247115f94aedae42318124095afabe4d1451a559faedee';
const CONVERTED_PUBLIC = 'f1814f0e8ff1043d8a44d25babff3cedcae6c22c3edaa48f857ae70de2baae50';
const CONVERTED_SECRET = '8052030376d47112be7f73ed7a019293dd12ad910b654455798b4667d73de166';
/** The X25519 base point, u = 9 (RFC 7748 §4.1). */
const X25519_BASE_POINT = hexBytes(`09${'00'.repeat(31)}`);
/** y = 2 has no x on edwards25519: not a point. */
const NOT_A_POINT = hexBytes(`02${'00'.repeat(31)}`);

describe.each(providers)('%s SHA-256 and random bytes', (_name, provider) => {
  it('hashes the FIPS 180-4 examples, and a view into a larger buffer as its own bytes', () => {
    const text = (value: string): Uint8Array => new TextEncoder().encode(value);
    expect(bytesHex(provider.sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(bytesHex(provider.sha256(text('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const long = text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq');
    expect(bytesHex(provider.sha256(long))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    const framed = new Uint8Array([0xff, ...long, 0xff]);
    expect(provider.sha256(framed.subarray(1, 1 + long.length))).toEqual(provider.sha256(long));
  });

  it('gives random bytes of the length asked, different each time', () => {
    const lengths = [0, 1, 12, 32, 100];
    for (const length of lengths) expect(provider.randomBytes(length)).toHaveLength(length);
    expect(provider.randomBytes(32)).not.toEqual(provider.randomBytes(32));
  });
});

describe.each(providers)('%s Ed25519 to X25519', (_name, provider) => {
  it('converts the libsodium test key pair to its X25519 keys', () => {
    const seed = hexBytes(CONVERSION_SEED);
    expect(bytesHex(provider.ed25519PublicToX25519(provider.ed25519PublicKey(seed)))).toBe(CONVERTED_PUBLIC);
    expect(bytesHex(provider.ed25519SecretToX25519(seed))).toBe(CONVERTED_SECRET);
  });

  it('gives a converted secret whose X25519 public key is the converted public key', () => {
    const { secretKey, publicKey } = provider.ed25519KeyPair();
    expect(bytesHex(provider.x25519(provider.ed25519SecretToX25519(secretKey), X25519_BASE_POINT))).toBe(
      bytesHex(provider.ed25519PublicToX25519(publicKey)),
    );
  });

  it('refuses a public key that is not a point', () => {
    expect(() => provider.ed25519PublicToX25519(NOT_A_POINT)).toThrow();
  });
});

describe('checkX25519PublicKey', () => {
  it(`refuses every public key that yields an all-zero shared secret (${x25519LowOrder.length} vectors)`, () => {
    for (const test of x25519LowOrder) {
      expect(checkX25519PublicKey(hexBytes(test.public)), `tcId ${test.tcId}`).toBe('LOW_ORDER');
    }
  });

  it('accepts every key of a computable vector', () => {
    for (const test of x25519Computable) {
      expect(checkX25519PublicKey(hexBytes(test.public)), `tcId ${test.tcId}`).toBeUndefined();
    }
  });

  it('refuses a key of the wrong length', () => {
    expect(checkX25519PublicKey(new Uint8Array(31))).toBe('WRONG_LENGTH');
    expect(checkX25519PublicKey(new Uint8Array(33))).toBe('WRONG_LENGTH');
  });
});

describe('the two providers agree', () => {
  const [[, native], [, portable]] = providers as [[string, CryptoProvider], [string, CryptoProvider]];

  it('on X25519 shared secrets from key pairs of either side', () => {
    const alice = native.x25519KeyPair();
    const bob = portable.x25519KeyPair();
    expect(bytesHex(native.x25519(alice.secretKey, bob.publicKey))).toBe(bytesHex(portable.x25519(bob.secretKey, alice.publicKey)));
  });

  it('on Ed25519 public keys, and each verifies the other', () => {
    const { secretKey, publicKey } = native.ed25519KeyPair();
    expect(bytesHex(portable.ed25519PublicKey(secretKey))).toBe(bytesHex(publicKey));
    const message = new TextEncoder().encode('transcript');
    expect(portable.ed25519Verify(publicKey, message, native.ed25519Sign(secretKey, message))).toBe(true);
    expect(native.ed25519Verify(publicKey, message, portable.ed25519Sign(secretKey, message))).toBe(true);
  });

  it('on AES-GCM: what one seals the other opens', async () => {
    const key = native.randomBytes(32);
    const nonce = native.randomBytes(12);
    const aad = new Uint8Array([1, 2, 3]);
    const message = new TextEncoder().encode('hello');
    const sealed = await native.aesGcmSeal(key, nonce, message, aad);
    expect(bytesHex((await portable.aesGcmOpen(key, nonce, sealed, aad))!)).toBe(bytesHex(message));
  });
});

describe.each(providers)('%s Ed25519 secret keys', (_name, provider) => {
  it('signs with the seed as it is now: a zeroed seed no longer signs as the old key', () => {
    const { publicKey, secretKey } = provider.ed25519KeyPair();
    const message = new TextEncoder().encode('transcript');
    expect(provider.ed25519Verify(publicKey, message, provider.ed25519Sign(secretKey, message))).toBe(true);
    secretKey.fill(0);
    expect(provider.ed25519Verify(publicKey, message, provider.ed25519Sign(secretKey, message))).toBe(false);
  });
});
