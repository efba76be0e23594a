import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The file beside the bundle that holds the SDK's end-to-end side, which the bundle imports on first use. */
const END_TO_END_FILE = 'sealed-client-end-to-end.js';

/**
 * The prebuilt browser bundle of the Sealed client SDK that
 * `@sealed/helpers` ships (`@sealed/helpers/client/browser`: one minified ES
 * module with `@noble/*` and WebCrypto AES-GCM inside) and the end-to-end
 * file beside it, by the names the page loads them as. Read once at start.
 */
export async function readClientBundle(): Promise<Map<string, Buffer>> {
  const entry = require.resolve('@sealed/helpers/client/browser');
  const files = [entry, join(dirname(entry), END_TO_END_FILE)];
  return new Map(await Promise.all(files.map(async (file) => [basename(file), await readFile(file)] as const)));
}
