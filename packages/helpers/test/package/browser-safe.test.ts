import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const source = (path: string): string => fileURLToPath(new URL(`../../src/${path}`, import.meta.url));

/** Bundles one entry for the browser platform, as a page's bundler would; a Node built-in anywhere fails it. */
async function bundleForBrowser(entry: string): Promise<number> {
  const result = await build({
    entryPoints: [source(entry)],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.contents.length;
}

describe('browser-safe entry points', () => {
  it.each(['client/index.ts', 'protocol/index.ts', 'crypto/index.ts'])('%s bundles for the browser with no Node built-in', async (entry) => {
    expect(await bundleForBrowser(entry)).toBeGreaterThan(0);
  });

  it('the Node client entry does not: the check can fail', async () => {
    await expect(bundleForBrowser('client/node.ts')).rejects.toThrow(/Could not resolve "(node:)?[a-z_]+"/);
  });
});
