import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPLY_TIMEOUT_MS = 120_000;
const PROFILE_DIRECTORY = fileURLToPath(new URL('../results/profiles/', import.meta.url));

/** A benchmark process on IPC: send commands, await replies by type. */
export class ProcessHandle<Command, Reply extends { type: string }> {
  readonly #child: ChildProcess;
  readonly #inbox: Reply[] = [];
  readonly #waiters: Array<{ type: string; resolve: (reply: Reply) => void; reject: (error: Error) => void }> = [];

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (message) => {
      const reply = message as Reply;
      if (reply.type === 'error') {
        for (const waiter of this.#waiters.splice(0)) waiter.reject(new Error(JSON.stringify(reply)));
        return;
      }
      const index = this.#waiters.findIndex((waiter) => waiter.type === reply.type);
      if (index === -1) this.#inbox.push(reply);
      else this.#waiters.splice(index, 1)[0]!.resolve(reply);
    });
    child.on('exit', (code) => {
      for (const waiter of this.#waiters.splice(0)) waiter.reject(new Error(`process exited with ${code}`));
    });
  }

  /** Forks a TypeScript entry point of the bench folder. */
  static start<C, R extends { type: string }>(relativePath: string, args: string[], exposeGc = false): ProcessHandle<C, R> {
    const file = fileURLToPath(new URL(`../${relativePath}`, import.meta.url));
    const profile = [
      ...(exposeGc && process.env.BENCH_CPU_PROF === '1' ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIRECTORY}`] : []),
      ...(exposeGc && process.env.BENCH_PERF === '1' ? ['--perf-basic-prof'] : []),
    ];
    const execArgv = [...(process.env.BENCH_NODE_FLAGS?.split(' ') ?? []), '--import', 'tsx', ...(exposeGc ? ['--expose-gc'] : []), ...profile];
    return new ProcessHandle<C, R>(fork(file, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  send(command: Command): void {
    this.#child.send(command as object);
  }

  next<T extends Reply['type']>(type: T): Promise<Extract<Reply, { type: T }>> {
    const index = this.#inbox.findIndex((reply) => reply.type === type);
    if (index !== -1) return Promise.resolve(this.#inbox.splice(index, 1)[0] as Extract<Reply, { type: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} within ${REPLY_TIMEOUT_MS} ms`)), REPLY_TIMEOUT_MS);
      this.#waiters.push({
        type,
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply as Extract<Reply, { type: T }>);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    try {
      this.#child.send({ type: 'stop' });
    } catch {
      this.#child.kill('SIGKILL');
    }
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
