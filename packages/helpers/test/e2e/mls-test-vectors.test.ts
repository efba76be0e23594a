import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeMlsMessage, encodeMlsMessage, getCiphersuiteImpl, type CiphersuiteImpl } from 'ts-mls';
import { getCiphersuiteFromId, type CiphersuiteId } from 'ts-mls/crypto/ciphersuite.js';
import { left, nodeWidth, parent, right, root, sibling, toNodeIndex } from 'ts-mls/treemath.js';
import { deriveSecret, deriveTreeSecret, expandWithLabel } from 'ts-mls/crypto/kdf.js';
import { refhash } from 'ts-mls/crypto/hash.js';
import { signWithLabel, verifyWithLabel } from 'ts-mls/crypto/signature.js';
import { decryptWithLabel, encryptWithLabel } from 'ts-mls/crypto/hpke.js';
import { determineLength } from 'ts-mls/codec/variableLength.js';
import { decodeCommit, encodeCommit } from 'ts-mls/commit.js';
import { decodeRatchetTree, encodeRatchetTree } from 'ts-mls/ratchetTree.js';
import { MLS_CIPHER_SUITE } from '../../src/index.ts';

/**
 * The MLS library of end-to-end rooms (ts-mls) against the interoperability
 * suite's vectors (vectors/README.md), for the cipher suite Sealed uses.
 */

function load<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./vectors/${name}.json`, import.meta.url), 'utf8')) as T;
}

const bytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));
const hex = (value: Uint8Array): string => Buffer.from(value).toString('hex');

/** The suite id of `MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519`. */
const SEALED_SUITE_ID = 1;

describe('ts-mls against the MLS test vectors', () => {
  it('tree math: root, width, left, right, parent and sibling of every node', () => {
    const vectors = load<Array<{ n_leaves: number; n_nodes: number; root: number; left: Array<number | null>; right: Array<number | null>; parent: Array<number | null>; sibling: Array<number | null> }>>('tree-math');
    expect(vectors.length).toBeGreaterThan(0);
    const attempt = (f: () => number): number | null => {
      try {
        return f();
      } catch {
        return null;
      }
    };
    for (const vector of vectors) {
      expect(nodeWidth(vector.n_leaves)).toBe(vector.n_nodes);
      expect(root(vector.n_leaves)).toBe(vector.root);
      const nodes = vector.left.map((_, index) => toNodeIndex(index));
      expect(nodes.map((node) => attempt(() => left(node)))).toEqual(vector.left);
      expect(nodes.map((node) => attempt(() => right(node)))).toEqual(vector.right);
      expect(nodes.map((node) => attempt(() => parent(node, vector.n_leaves)))).toEqual(vector.parent);
      expect(nodes.map((node) => attempt(() => sibling(node, vector.n_leaves)))).toEqual(vector.sibling);
    }
  });

  it('deserialization: variable-length integer headers', () => {
    const vectors = load<Array<{ vlbytes_header: string; length: number }>>('deserialization');
    expect(vectors.length).toBeGreaterThan(0);
    for (const vector of vectors) expect(determineLength(bytes(vector.vlbytes_header)).length).toBe(vector.length);
  });

  it(`crypto basics of ${MLS_CIPHER_SUITE}: RefHash, DeriveSecret, DeriveTreeSecret, ExpandWithLabel, SignWithLabel, EncryptWithLabel`, async () => {
    const vectors = load<Array<Record<string, any>>>('crypto-basics');
    const vector = vectors.find((candidate) => candidate.cipher_suite === SEALED_SUITE_ID)!;
    const cs: CiphersuiteImpl = await getCiphersuiteImpl(getCiphersuiteFromId(SEALED_SUITE_ID as CiphersuiteId));
    const { ref_hash: rh, derive_secret: ds, derive_tree_secret: dts, expand_with_label: ewl, sign_with_label: swl, encrypt_with_label: enc } = vector;
    expect(hex(await refhash(rh.label, bytes(rh.value), cs.hash))).toBe(rh.out);
    expect(hex(await deriveSecret(bytes(ds.secret), ds.label, cs.kdf))).toBe(ds.out);
    expect(hex(await deriveTreeSecret(bytes(dts.secret), dts.label, dts.generation, cs.kdf.size, cs.kdf))).toBe(dts.out);
    expect(hex(await expandWithLabel(bytes(ewl.secret), ewl.label, bytes(ewl.context), ewl.length, cs.kdf))).toBe(ewl.out);
    expect(await verifyWithLabel(bytes(swl.pub), swl.label, bytes(swl.content), bytes(swl.signature), cs.signature)).toBe(true);
    const signature = await signWithLabel(bytes(swl.priv), swl.label, bytes(swl.content), cs.signature);
    expect(await verifyWithLabel(bytes(swl.pub), swl.label, bytes(swl.content), signature, cs.signature)).toBe(true);
    const privateKey = await cs.hpke.importPrivateKey(bytes(enc.priv));
    const publicKey = await cs.hpke.importPublicKey(bytes(enc.pub));
    expect(hex(await decryptWithLabel(privateKey, enc.label, bytes(enc.context), bytes(enc.kem_output), bytes(enc.ciphertext), cs.hpke))).toBe(enc.plaintext);
    const sealed = await encryptWithLabel(publicKey, enc.label, bytes(enc.context), bytes(enc.plaintext), cs.hpke);
    expect(hex(await decryptWithLabel(privateKey, enc.label, bytes(enc.context), sealed.enc, sealed.ct, cs.hpke))).toBe(enc.plaintext);
  });

  it('messages: every MLSMessage, commit and ratchet tree decodes and encodes back to the same bytes', () => {
    const vectors = load<Array<Record<string, string>>>('messages');
    expect(vectors).toHaveLength(10);
    const wireFormats: Record<string, string> = {
      mls_welcome: 'mls_welcome',
      mls_group_info: 'mls_group_info',
      mls_key_package: 'mls_key_package',
      private_message: 'mls_private_message',
      public_message_application: 'mls_public_message',
      public_message_proposal: 'mls_public_message',
      public_message_commit: 'mls_public_message',
    };
    for (const vector of vectors) {
      for (const [field, wireformat] of Object.entries(wireFormats)) {
        const decoded = decodeMlsMessage(bytes(vector[field]!), 0);
        expect(decoded?.[0].wireformat).toBe(wireformat);
        expect(hex(encodeMlsMessage(decoded![0]))).toBe(vector[field]);
      }
      expect(hex(encodeCommit(decodeCommit(bytes(vector.commit!), 0)![0]))).toBe(vector.commit);
      expect(hex(encodeRatchetTree(decodeRatchetTree(bytes(vector.ratchet_tree!), 0)![0]))).toBe(vector.ratchet_tree);
    }
  });
});
