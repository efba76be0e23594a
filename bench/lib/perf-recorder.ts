import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Samples per second `perf record` takes. */
const PERF_SAMPLE_HZ = 999;

/**
 * Linux `perf record` of this process with call graphs, from `start` to
 * `stop`: the measured window alone, kernel and native code included. JS
 * frames get names when the process runs with `--perf-basic-prof` (which
 * `BENCH_PERF=1` adds to every bench server). Sampling costs CPU: the
 * figures of a recorded run are not for comparison.
 */
export class PerfRecorder {
  #perf: ChildProcess | undefined;

  constructor(private readonly outputPrefix: string) {
    mkdirSync(dirname(outputPrefix), { recursive: true });
  }

  /** Starts recording into `<prefix>-<n>.perf.data`; resolves once perf has started (it attaches within milliseconds). */
  async start(index: number): Promise<void> {
    const perf = spawn('perf', ['record', '-g', '-F', String(PERF_SAMPLE_HZ), '-p', String(process.pid), '-o', `${this.outputPrefix}-${index}.perf.data`], {
      stdio: 'ignore',
    });
    this.#perf = perf;
    // Rejects if perf cannot be started.
    await once(perf, 'spawn');
  }

  /** Stops recording and waits for perf to write its file. */
  async stop(): Promise<void> {
    const perf = this.#perf;
    this.#perf = undefined;
    if (!perf || perf.exitCode !== null) return;
    const exited = once(perf, 'exit');
    perf.kill('SIGINT');
    await exited;
  }
}
