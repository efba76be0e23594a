import { afterAll, beforeAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { createClient } from 'redis';

const READY_LINE = 'Ready to accept connections';
const START_TIMEOUT_MS = 10_000;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * A real `redis-server` for a test: on a free loopback port, no persistence,
 * stopped (and restartable on the same port) by the test.
 */
export class RedisProcess {
  #child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisProcess> {
    const redis = new RedisProcess(await freePort());
    await redis.#spawn();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.#spawn();
  }

  /** Runs one command on a fresh connection, e.g. `['PUBSUB', 'CHANNELS', 'sealed:room:*']`. */
  async command<T = unknown>(args: string[]): Promise<T> {
    const client = createClient({ url: this.url });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.sendCommand(args)) as T;
    } finally {
      await client.close();
    }
  }

  async #spawn(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('redis-server did not start')), START_TIMEOUT_MS);
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(READY_LINE)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${output}`));
      });
    });
    child.stdout!.resume();
    child.stderr!.resume();
  }
}

/**
 * Starts one `redis-server` for the calling test file (before its tests) and
 * stops it after them. Read `.current` inside tests and hooks.
 */
export function useRedisServer(): { readonly current: RedisProcess } {
  const holder: { current: RedisProcess } = { current: undefined! };
  beforeAll(async () => {
    holder.current = await RedisProcess.start();
  });
  afterAll(async () => {
    await holder.current?.stop();
  });
  return holder;
}
