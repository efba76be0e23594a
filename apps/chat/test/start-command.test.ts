import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const appDirectory = fileURLToPath(new URL('..', import.meta.url));
const LISTENING_LINE = /Sealed chat listening on (http:\/\/\S+)/;

describe('the start command', () => {
  it('boots on PORT with embedded defaults, prints where it listens and its fingerprint, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: appDirectory,
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    const origin = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = LISTENING_LINE.exec(output);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code} before listening: ${output}`)));
    });
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    expect(output).toMatch(/Security levels accepted: encrypted/);
    expect(output).toMatch(/Server identity fingerprint: [0-9a-f]{4}( [0-9a-f]{4}){7}/);
    child.kill('SIGTERM');
    const [exitCode] = await once(child, 'exit');
    expect(exitCode).toBe(0);
  });
});
