// Builds the prebuilt browser bundle of the client SDK, dist/browser/sealed-client.js:
// one minified ES module for the browser platform (a Node built-in anywhere in it fails
// the build), with its source map. Run from packages/helpers after tsc.
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const outfile = 'dist/browser/sealed-client.js';
await build({
  entryPoints: ['dist/client/index.js'],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'eof',
  logLevel: 'warning',
});
const bytes = readFileSync(outfile);
console.log(`${outfile}: ${(bytes.length / 1024).toFixed(1)} KiB minified, ${(gzipSync(bytes).length / 1024).toFixed(1)} KiB gzipped`);
