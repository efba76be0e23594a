import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '@sealed/test-support';

/**
 * The packages as a user gets them: packed, installed with npm into a
 * project outside the workspace (their dependencies from the registry), and
 * used from plain `node`, `require()`, `tsc` and a browser. Needs the
 * packages built (`pnpm build`; `pnpm test` does it first).
 */

const run = promisify(execFile);
const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const TSC = join(REPOSITORY, 'node_modules/typescript/bin/tsc');
const PACKAGES = ['helpers', 'core'] as const;
const INSTALL_TIMEOUT_MS = 5 * 60 * 1000;
const PROCESS_TIMEOUT_MS = 30_000;

let project: string;
const tarballs: Record<string, string> = {};
const children: ChildProcess[] = [];

/** The README's SDK snippet, exactly as it stands there. */
function readmeClientSnippet(): string {
  const readme = readFileSync(join(REPOSITORY, 'README.md'), 'utf8');
  const after = readme.slice(readme.indexOf('and connect with the SDK'));
  const match = /```ts\n([\s\S]*?)```/.exec(after);
  if (!match) throw new Error('README has no SDK snippet after "and connect with the SDK"');
  return match[1]!;
}

/**
 * A client script: what the snippet leaves to the reader (`url`, `token`, `render`) from the
 * environment, then the snippet unchanged, then a report of what it saw.
 */
function clientScript(): string {
  return [
    'const url = process.env.SEALED_URL;',
    'const token = process.env.SEALED_TOKEN;',
    'const expected = Number(process.env.SEALED_EXPECT_CHATS ?? 0);',
    'const rendered = [];',
    'const render = (message) => {',
    '  rendered.push(message);',
    '  console.log(JSON.stringify({ chat: message }));',
    '  if (rendered.length >= expected) client.close();',
    '};',
    readmeClientSnippet(),
    'console.log(JSON.stringify({ ready: { level, serverFingerprint, rooms: client.rooms } }));',
    'if (expected === 0) client.close();',
    '',
  ].join('\n');
}

/** A node process in the consumer project, with its stdout read as JSON lines. */
function startNode(script: string, env: Record<string, string> = {}): { child: ChildProcess; next: (key: string) => Promise<any>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [script], { cwd: project, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const messages: Array<Record<string, unknown>> = [];
  const waiters: Array<{ key: string; resolve: (value: unknown) => void }> = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    messages.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.key in message) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message[waiter.key]);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const next = (key: string): Promise<any> => {
    const seen = messages.findIndex((message) => key in message);
    if (seen >= 0) return Promise.resolve(messages.splice(seen, 1)[0]![key]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script}: no "${key}" line within ${PROCESS_TIMEOUT_MS} ms; stderr: ${stderr}`)), PROCESS_TIMEOUT_MS);
      waiters.push({ key, resolve: (value) => (clearTimeout(timer), resolve(value)) });
      void exited.then((code) => reject(new Error(`${script} exited with ${code} before "${key}"; stderr: ${stderr}`)));
    });
  };
  return { child, next, exited };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Runs tsc in the consumer project on one of its tsconfig files. */
async function typecheck(config: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [TSC, '-p', config], { cwd: project });
    return { ok: true, output: stdout };
  } catch (error) {
    return { ok: false, output: String((error as { stdout?: string }).stdout) };
  }
}

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'sealed-consumer-'));
  const packs = join(project, 'packs');
  for (const name of PACKAGES) {
    await run('pnpm', ['pack', '--pack-destination', packs], { cwd: join(REPOSITORY, 'packages', name) });
  }
  for (const file of readdirSync(packs)) {
    const name = file.startsWith('sealed-helpers-') ? '@sealed/helpers' : '@sealed/core';
    tarballs[name] = join(packs, file);
  }
  const dependencies = {
    '@sealed/core': `file:${tarballs['@sealed/core']}`,
    '@sealed/helpers': `file:${tarballs['@sealed/helpers']}`,
    inversify: '^8.2.3',
    'reflect-metadata': '^0.2.2',
  };
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'sealed-consumer', private: true, type: 'module', dependencies, overrides: { '@sealed/helpers': dependencies['@sealed/helpers'] } }, null, 2),
  );
  cpSync(FIXTURES, project, { recursive: true });
  writeFileSync(join(project, 'client.mjs'), clientScript());
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, timeout: INSTALL_TIMEOUT_MS });
}, INSTALL_TIMEOUT_MS + 60_000);

afterAll(async () => {
  await Promise.all(children.map(stop));
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the packed packages', () => {
  it('hold only dist, README and LICENSE, and report their sizes', () => {
    for (const [name, tarball] of Object.entries(tarballs)) {
      console.log(`${name}: ${(statSync(tarball).size / 1024).toFixed(1)} KiB packed`);
      const installed = join(project, 'node_modules', name);
      // npm may nest a dependency under the package (ts-mls pins the @noble versions it peers with): not part of the package.
      const top = readdirSync(installed)
        .filter((entry) => entry !== 'node_modules')
        .sort();
      expect(top).toEqual(['LICENSE', 'README.md', 'dist', 'package.json']);
    }
    const bundle = readFileSync(join(project, 'node_modules/@sealed/helpers/dist/browser/sealed-client.js'));
    console.log(`browser bundle: ${(bundle.length / 1024).toFixed(1)} KiB minified, ${(gzipSync(bundle).length / 1024).toFixed(1)} KiB gzipped`);
  });
});

describe('a plain-JavaScript consumer on node', () => {
  it('runs the README server (import) and the README SDK snippet unchanged: encrypted chat in a room, also from a browser', async () => {
    const server = startNode('server.mjs', { IDENTITY_FILE: join(project, 'identity-esm.json') });
    const port = (await server.next('port')) as number;
    const url = `ws://127.0.0.1:${port}/ws`;
    const bob = startNode('client.mjs', { SEALED_URL: url, SEALED_TOKEN: 'bob', SEALED_EXPECT_CHATS: '2' });
    expect(await bob.next('ready')).toMatchObject({ level: 'encrypted', rooms: ['lobby'] });

    const alice = startNode('client.mjs', { SEALED_URL: url, SEALED_TOKEN: 'alice' });
    expect(await alice.next('ready')).toMatchObject({ level: 'encrypted', rooms: ['lobby'] });
    expect(await alice.exited).toBe(0);
    expect(await bob.next('chat')).toEqual({ from: 'alice', data: { room: 'lobby', text: 'hello' } });

    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      const result = await page.evaluate(() => (window as unknown as { result: Promise<unknown> }).result);
      expect(result).toMatchObject({ level: 'encrypted', rooms: ['lobby'] });
    } finally {
      await browser.close();
    }
    expect(await bob.next('chat')).toEqual({ from: 'carol', data: { room: 'lobby', text: 'hello from the browser' } });
    expect(await bob.exited).toBe(0);
    await stop(server.child);
  });

  it('runs the same server loaded with require()', async () => {
    const server = startNode('server.cjs', { IDENTITY_FILE: join(project, 'identity-cjs.json') });
    const port = (await server.next('port')) as number;
    const client = startNode('client.mjs', { SEALED_URL: `ws://127.0.0.1:${port}/ws`, SEALED_TOKEN: 'dora' });
    expect(await client.next('ready')).toMatchObject({ level: 'encrypted', rooms: ['lobby'] });
    expect(await client.exited).toBe(0);
    await stop(server.child);
  });
});

describe('a TypeScript consumer (NodeNext, strict, skipLibCheck off)', () => {
  it('compiles against the declarations with no settings beyond the defaults', async () => {
    const result = await typecheck('typescript/tsconfig.app.json');
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });

  it('refuses a handler of the wrong type bound to a binding key', async () => {
    const result = await typecheck('typescript/tsconfig.wrong-handler.json');
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/wrong-handler\.ts\(6,\d+\): error TS2322: Type 'number' is not assignable/);
    expect(result.output.trim().split('\n').filter((line) => line.includes('error TS'))).toHaveLength(1);
  });
});
