import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, fromBase64Url, toBase64, toBase64Url } from './bytes.ts';

/** Node's own codec as the oracle: canonical padded base64 is what it would encode again. */
function isCanonicalBase64(text: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 === 0 && Buffer.from(text, 'base64').toString('base64') === text;
}

const BASE64_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ .';

describe('toBase64', () => {
  it('encodes as Node does, padding included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
      }),
    );
  });

  it('encodes inputs larger than one batch of characters, across the batch boundaries', () => {
    for (const length of [4095, 4096, 4097, 3 * 4096 + 2]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 151 + 7) % 256);
      expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    }
  });
});

describe('fromBase64', () => {
  it('decodes what toBase64 encodes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(fromBase64(toBase64(bytes))).toEqual(bytes);
      }),
    );
  });

  it('accepts exactly the canonical texts, and decodes them as Node does', () => {
    const text = fc.string({ unit: fc.constantFrom(...BASE64_CHARACTERS), maxLength: 16 });
    fc.assert(
      fc.property(text, (candidate) => {
        const decoded = fromBase64(candidate);
        if (isCanonicalBase64(candidate)) expect(decoded).toEqual(new Uint8Array(Buffer.from(candidate, 'base64')));
        else expect(decoded).toBeUndefined();
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    ['non-zero padding bits before "=="', 'AB=='],
    ['non-zero padding bits before "="', 'AAB='],
    ['"=" inside the text', 'AA=AAAAA'],
    ['three "="', 'A==='],
    ['a length that is not a multiple of 4', 'AAAAA'],
    ['the URL-safe alphabet', 'AA-_'],
    ['white space', 'AA AA'],
  ])('refuses %s', (_name, text) => {
    expect(fromBase64(text)).toBeUndefined();
  });
});

describe('base64url', () => {
  it('encodes as Node does, without padding, and decodes what it encodes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = toBase64Url(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64url'));
        expect(fromBase64Url(text)).toEqual(bytes);
      }),
    );
  });

  it('accepts exactly the texts it would encode again', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...BASE64_CHARACTERS), maxLength: 12 }), (text) => {
        const decoded = fromBase64Url(text);
        if (decoded === undefined) expect(/^[A-Za-z0-9_-]*$/.test(text) && Buffer.from(text, 'base64url').toString('base64url') === text).toBe(false);
        else expect(toBase64Url(decoded)).toBe(text);
      }),
    );
  });

  it.each([
    ['padding', 'AA=='],
    ['the standard alphabet', 'AA+/'],
    ['a length of 4n + 1', 'AAAAA'],
    ['non-zero spare bits', 'AB'],
  ])('refuses %s', (_name, text) => {
    expect(fromBase64Url(text)).toBeUndefined();
  });
});
