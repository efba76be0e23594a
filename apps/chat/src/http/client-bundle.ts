import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * The prebuilt browser bundle of the Sealed client SDK that
 * `@sealed/helpers` ships (`@sealed/helpers/client/browser`: one minified ES
 * module with `@noble/*` and WebCrypto AES-GCM inside), as the page loads it.
 * Read once at start.
 */
export function readClientBundle(): Promise<Buffer> {
  return readFile(require.resolve('@sealed/helpers/client/browser'));
}
