import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  BusErrorCode,
  CloseCode,
  ErrorCode,
  SERVER_SETTINGS,
  SecureKitDefaults,
  UsageErrorCode,
  WebSocketDefaults,
} from '../../src/index.ts';
import { ClientFailureCode, SEALED_CLIENT_DEFAULTS } from '../../src/client/index.ts';

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

  it.each(Object.keys(UsageErrorCode))('lists usage error code %s', (code) => {
    expect(errors).toContain(`| \`${code}\` |`);
  });

  it.each(Object.keys(BusErrorCode))('lists emitter error code %s', (code) => {
    expect(errors).toContain(`| \`${code}\` |`);
  });
});

/** A default as docs/options.md writes it: JavaScript literal syntax. */
function renderDefault(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value instanceof RegExp) return String(value);
  if (Array.isArray(value)) return `[${value.map(renderDefault).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{ ${Object.entries(value).map(([key, field]) => `${key}: ${renderDefault(field)}`).join(', ')} }`;
  }
  return String(value);
}

describe('docs/options.md', () => {
  const options = page('options.md');

  it.each(Object.entries(SERVER_SETTINGS))('documents option %s with its default value and constant', (name, spec) => {
    expect(options).toContain(`| \`${name}\` | \`${renderDefault(spec.value)}\` (\`${spec.constant}\`) |`);
  });

  it('documents every default of WebSocketDefaults', () => {
    expect(Object.keys(WebSocketDefaults).filter((constant) => !options.includes(`(\`${constant}\`)`))).toEqual([]);
  });

  it.each(Object.entries(SEALED_CLIENT_DEFAULTS))('documents the client SDK default %s and its value', (name, value) => {
    expect(options).toContain(`| \`${value}\` (\`SEALED_CLIENT_DEFAULTS.${name}\`) |`);
  });

  it.each(Object.entries(SecureKitDefaults))('documents the secure kit default %s with its value', (constant, value) => {
    expect(options).toContain(`| \`${renderDefault(value)}\` (\`${constant}\`) |`);
  });
});
