// Builds the prebuilt browser bundle of the client SDK in dist/browser/: sealed-client.js, one
// minified ES module for the browser platform (a Node built-in anywhere in it fails the build),
// and sealed-client-end-to-end.js, the member side of end-to-end rooms with its MLS library,
// which sealed-client.js imports from its own directory only once a room is end-to-end. Each
// comes with its source map. Run from packages/helpers after tsc.
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const DIRECTORY = 'dist/browser';
const ENTRY = `${DIRECTORY}/sealed-client.js`;
const END_TO_END = `${DIRECTORY}/sealed-client-end-to-end.js`;
const common = { bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, sourcemap: true, legalComments: 'eof', logLevel: 'warning' };

await build({ ...common, entryPoints: ['dist/client/end-to-end/sdk-end-to-end.js'], outfile: END_TO_END });
await build({
  ...common,
  entryPoints: ['dist/client/index.js'],
  outfile: ENTRY,
  plugins: [
    {
      name: 'end-to-end-beside',
      setup(builder) {
        // The SDK loads its end-to-end side with import(): in the browser, from the file beside this one.
        builder.onResolve({ filter: /\/sdk-end-to-end\.js$/ }, () => ({ path: './sealed-client-end-to-end.js', external: true }));
      },
    },
  ],
});
for (const file of [ENTRY, END_TO_END]) {
  const bytes = readFileSync(file);
  console.log(`${file}: ${(bytes.length / 1024).toFixed(1)} KiB minified, ${(gzipSync(bytes).length / 1024).toFixed(1)} KiB gzipped`);
}
