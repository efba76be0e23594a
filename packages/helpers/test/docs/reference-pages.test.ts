import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BusErrorCode, ClientFailureCode, CloseCode, ErrorCode, SEALED_CLIENT_DEFAULTS, SecureKitDefaults, WebSocketDefaults } from '../../src/index.ts';

function page(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../../../docs/${name}`, import.meta.url)), 'utf8');
}

describe('docs/errors.md', () => {
  const errors = page('errors.md');

  it.each(Object.entries(CloseCode))('lists close code %s (%i)', (name, code) => {
    expect(errors).toContain(`| ${code} | \`${name}\` |`);
  });

  it.each(Object.keys(ErrorCode))('lists error code %s', (code) => {
    expect(errors).toContain(`| \`${code}\` |`);
  });

  it.each(Object.keys(ClientFailureCode))('lists client failure code %s', (code) => {
    expect(errors).toContain(`| \`${code}\` |`);
  });

  it.each(Object.keys(BusErrorCode))('lists emitter error code %s', (code) => {
    expect(errors).toContain(`| \`${code}\` |`);
  });
});

describe('docs/options.md', () => {
  const options = page('options.md');

  it.each(Object.keys(WebSocketDefaults))('documents the default %s', (name) => {
    expect(options).toContain(`(\`${name}\`)`);
  });

  it.each(Object.entries(SEALED_CLIENT_DEFAULTS))('documents the client SDK default %s and its value', (name, value) => {
    expect(options).toContain(`| \`${value}\` (\`SEALED_CLIENT_DEFAULTS.${name}\`) |`);
  });

  it.each(Object.keys(SecureKitDefaults))('documents the secure kit default %s', (name) => {
    expect(options).toContain(`(\`${name}\`)`);
  });
});
