/**
 * Writes docs/vectors/protocol-v2.json, the published known-answer vectors of
 * the protocol, from the real code (`pnpm vectors`). Run it only when the
 * wire format changes on purpose; the test in
 * packages/helpers/test/crypto/protocol-vectors.test.ts fails until the file
 * and the code agree again.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeCryptoProvider } from '../packages/helpers/src/index.ts';
import { buildProtocolVectors } from '../packages/helpers/test/vectors/protocol-vectors.ts';

const target = fileURLToPath(new URL('../docs/vectors/protocol-v2.json', import.meta.url));
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(await buildProtocolVectors(new NodeCryptoProvider()), null, 2)}\n`);
console.log(`wrote ${target}`);
