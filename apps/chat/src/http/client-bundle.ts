import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const APP_DIRECTORY = fileURLToPath(new URL('../..', import.meta.url));

/** Browsers this bundle targets: anything with WebCrypto, BigInt and ES2022. */
const BROWSER_TARGET = 'es2022';

/**
 * Bundles the Sealed client SDK (`@sealed/helpers/client`: the client,
 * `@noble/curves`, WebCrypto AES-GCM) into one ES module for the page.
 * Built once at start, in memory.
 */
export async function buildClientBundle(): Promise<Buffer> {
  const result = await build({
    stdin: { contents: "export * from '@sealed/helpers/client';", resolveDir: APP_DIRECTORY, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: BROWSER_TARGET,
    minify: true,
    write: false,
    legalComments: 'none',
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error('esbuild produced no client bundle');
  return Buffer.from(output.contents);
}
