import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { get as httpsGet } from 'node:https';
import { fileURLToPath } from 'node:url';
import { selfSignedCertificate } from '@sealed/test-support';
import { afterAll, describe, expect, it } from 'vitest';

const appDirectory = fileURLToPath(new URL('..', import.meta.url));
const repositoryDirectory = fileURLToPath(new URL('../../..', import.meta.url));
const LISTENING_LINE = /Sealed chat listening on (https?:\/\/\S+)/;
/** What pnpm prints when a script it ran failed or was cut off by a signal. */
const PACKAGE_MANAGER_FAILURE = /ELIFECYCLE|Command failed|ERR_PNPM/;
/** pnpm's own script, as package managers name it in `npm_execpath`. */
const PNPM_SCRIPT = /pnpm\.c?js$/;
/** Permissions that let others read a file: what the identity file check refuses. */
const WORLD_READABLE_MODE = 0o644;

type Started = ChildProcessByStdio<null, Readable, Readable>;

const scratch = mkdtempSync(join(tmpdir(), 'sealed-start-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The environment of the test run, without what the cases set themselves. */
function baseEnvironment(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...overrides };
  for (const name of ['PORT', 'HOST', 'SECURITY_LEVELS', 'IDENTITY_FILE', 'REDIS_URL', 'BUS_SECRET', 'LOG_LEVEL', 'METRICS', 'METRICS_TOKEN', 'TLS_CERT', 'TLS_KEY']) {
    if (!(name in overrides)) delete env[name];
  }
  return env;
}

/** The app as the sample's start script runs it: plain node with the tsx loader. */
function startApp(env: Record<string, string>): Started {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: appDirectory,
    env: baseEnvironment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Everything a process wrote, once it exited. */
async function runToExit(child: Started): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** Resolves with the origin once the banner is out, and keeps collecting what the process writes. */
function listening(child: Started): { origin: Promise<string>; output: () => string } {
  let output = '';
  const origin = new Promise<string>((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const match = LISTENING_LINE.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before listening: ${output}`)));
  });
  return { origin, output: () => output };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

describe('the start command', () => {
  it('boots on PORT with embedded defaults, prints where it listens and its fingerprint, and stops on SIGTERM', async () => {
    const child = startApp({ PORT: '0', LOG_LEVEL: 'warn' });
    const { origin, output } = listening(child);
    expect((await fetch(`${await origin}/healthz`)).status).toBe(200);
    expect(output()).toMatch(/Security levels accepted: encrypted/);
    expect(output()).toMatch(/Server identity fingerprint: [0-9a-f]{4}( [0-9a-f]{4}){7}/);
    child.kill('SIGTERM');
    const [exitCode] = await once(child, 'exit');
    expect(exitCode).toBe(0);
  });

  it('prints the banner first on standard output, whatever LOG_LEVEL says', async () => {
    const child = startApp({ PORT: '0', LOG_LEVEL: 'info' });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (LISTENING_LINE.test(stdout)) resolve();
      });
    });
    child.kill('SIGTERM');
    await once(child, 'exit');
    expect(stdout).toMatch(/^Sealed chat listening on /);
    // The info lines are still written, to standard error.
    expect(stderr).toContain('accepting WebSocket upgrades');
  });

  it('refuses to start with an invalid environment: every problem on a line of its own, exit code 1, nothing listening', async () => {
    const { code, stdout, stderr } = await runToExit(startApp({ PORT: 'abc', HOST: '', SECURITY_LEVELS: 'secret', REDIS_URL: 'http://x' }));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toEqual([
      'PORT must be an integer from 0 to 65535 (0: any free port), got "abc"',
      'HOST must name an address to listen on (for example 127.0.0.1), got an empty value',
      expect.stringMatching(/^SECURITY_LEVELS: Unknown security level "secret"/),
      'REDIS_URL must be a redis://host:port or rediss://host:port URL',
      expect.stringMatching(/^REDIS_URL is set without BUS_SECRET/),
    ]);
  });

  it('refuses to start with an identity file others can read, in one line', async () => {
    const identityFile = join(scratch, 'exposed-identity.json');
    writeFileSync(identityFile, '{}\n');
    chmodSync(identityFile, WORLD_READABLE_MODE);
    const { code, stdout, stderr } = await runToExit(startApp({ PORT: '0', IDENTITY_FILE: identityFile }));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`IDENTITY_FILE: ${identityFile} holds the server's secret key but has mode 644: run chmod 600 on it\n`);
  });

  it('serves https and wss with TLS_CERT and TLS_KEY', async () => {
    const { cert, key } = await selfSignedCertificate();
    const certFile = join(scratch, 'cert.pem');
    const keyFile = join(scratch, 'key.pem');
    writeFileSync(certFile, cert);
    writeFileSync(keyFile, key);
    const child = startApp({ PORT: '0', TLS_CERT: certFile, TLS_KEY: keyFile });
    const { origin, output } = listening(child);
    const url = new URL(await origin);
    expect(url.protocol).toBe('https:');
    expect(output()).toMatch(/WebSocket wss:\/\/\S+\/ws/);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      httpsGet({ host: url.hostname, port: url.port, path: '/healthz', servername: 'localhost', ca: cert }, (response) => {
        response.resume();
        resolve(response.statusCode);
      }).once('error', reject);
    });
    expect(status).toBe(200);
    child.kill('SIGTERM');
    expect((await once(child, 'exit'))[0]).toBe(0);
  });

  it('refuses to start with TLS files that are not a certificate and its key, in one line', async () => {
    const notPem = join(scratch, 'not-a-certificate.pem');
    writeFileSync(notPem, 'not a certificate\n');
    const { code, stdout, stderr } = await runToExit(startApp({ PORT: '0', TLS_CERT: notPem, TLS_KEY: join(scratch, 'missing-key.pem') }));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^TLS_KEY: \S+missing-key\.pem cannot be read \(ENOENT[^\n]*\)\n$/);
    const second = await runToExit(startApp({ PORT: '0', TLS_CERT: notPem, TLS_KEY: notPem }));
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/^TLS_CERT and TLS_KEY: not a PEM certificate and the private key that goes with it \([^\n]+\)\n$/);
  });

  it('refuses to start with an identity file that cannot be read, in one line', async () => {
    const { code, stdout, stderr } = await runToExit(startApp({ PORT: '0', IDENTITY_FILE: scratch }));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.startsWith(`IDENTITY_FILE: ${scratch} cannot be read as a server identity file (`)).toBe(true);
    expect(stderr.endsWith(')\n')).toBe(true);
    expect(stderr.split('\n')).toHaveLength(2);
  });

  it('refuses to start when Redis cannot be reached, in one line', async () => {
    const port = await closedPort();
    const { code, stdout, stderr } = await runToExit(startApp({ PORT: '0', REDIS_URL: `redis://127.0.0.1:${port}`, BUS_SECRET: 'shared' }));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`REDIS_URL: cannot reach Redis at 127.0.0.1:${port} (ECONNREFUSED)\n`);
  });

  it('ends with exit code 0 and no package-manager error when the whole process group gets SIGINT, as Ctrl-C sends it', async () => {
    // What the root `pnpm start` runs once the packages are built, with the pnpm running this test when there is one.
    const [command, ...pnpmArguments] = PNPM_SCRIPT.test(process.env.npm_execpath ?? '')
      ? [process.execPath, process.env.npm_execpath!]
      : ['pnpm'];
    const child = spawn(command!, [...pnpmArguments, '--filter', '@sealed/chat-app', 'start'], {
      cwd: repositoryDirectory,
      env: baseEnvironment({ PORT: '0' }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const { origin, output } = listening(child);
    await origin;
    const closed = once(child, 'close');
    process.kill(-child.pid!, 'SIGINT');
    const [code, signal] = await closed;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(output()).not.toMatch(PACKAGE_MANAGER_FAILURE);
  });
});
