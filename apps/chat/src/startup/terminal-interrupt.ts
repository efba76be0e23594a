import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ReadStream } from 'node:tty';

/** The byte a terminal in raw mode delivers for Ctrl-C. */
const CTRL_C = 0x03;
/** In `/proc/<pid>/stat`, after the command name: state, ppid, pgrp, session, tty_nr, tpgid. */
const STAT_PGRP_FIELD = 2;
const STAT_TPGID_FIELD = 5;

/** This process's group and the terminal's foreground group, from `/proc` (Linux) or `ps` (macOS, BSD); `undefined` when neither answers. */
function processGroups(): { group: number; foreground: number } | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { group: Number(fields[STAT_PGRP_FIELD]), foreground: Number(fields[STAT_TPGID_FIELD]) };
  } catch {
    // No /proc: ask ps.
  }
  try {
    const [group, foreground] = execFileSync('ps', ['-o', 'pgid=,tpgid=', '-p', String(process.pid)], { encoding: 'utf8' })
      .trim()
      .split(/\s+/)
      .map(Number);
    return group !== undefined && foreground !== undefined ? { group, foreground } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether this process may change the terminal's mode: it is in the
 * terminal's foreground process group. A background process that tried would
 * be stopped by SIGTTOU.
 */
function inForeground(): boolean {
  const groups = processGroups();
  return groups !== undefined && Number.isInteger(groups.group) && groups.group === groups.foreground;
}

/**
 * Makes Ctrl-C in a terminal a request to stop, handled by this process
 * alone: with standard input in raw mode the terminal sends the key as a byte
 * instead of SIGINT to the whole foreground process group, so the package
 * managers and shells that started the process (`npx`, `pnpm`, `sh -c`) are
 * not interrupted and see it exit with its own code. Does nothing when
 * standard input is not a terminal or the process runs in the background;
 * SIGINT then stays the way to stop.
 *
 * @returns releases the terminal: back to its mode, standard input paused.
 */
export function onTerminalInterrupt(input: NodeJS.ReadStream, stop: () => void): () => void {
  if (!input.isTTY || !inForeground()) return () => undefined;
  const terminal = input as ReadStream;
  const onData = (chunk: Buffer) => {
    if (chunk.includes(CTRL_C)) stop();
  };
  terminal.setRawMode(true);
  terminal.on('data', onData);
  terminal.resume();
  return () => {
    terminal.off('data', onData);
    terminal.setRawMode(false);
    terminal.pause();
  };
}
