import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Environment variable read for the default log level. */
const LOG_LEVEL_VARIABLE = 'LOG_LEVEL';
const DEFAULT_LOG_LEVEL = 'info';
/** File descriptor of standard error. */
const STDERR_FD = 2;

/** Where the default logger writes its JSON lines. */
export type LogDestination = 'stdout' | 'stderr';

/** Options of {@link createDefaultLogger}. */
export interface DefaultLoggerOptions {
  /** pino level; without it, `LOG_LEVEL`, or `info`. */
  level?: string;
  /** `stdout` by default; `stderr` keeps standard output for what a program prints for people. */
  destination?: LogDestination;
}

/**
 * The logger used when an application supplies none: pino at `level`, or at
 * `LOG_LEVEL`, or `info`; JSON lines on stdout (or stderr, with
 * `destination: 'stderr'`).
 */
export function createDefaultLogger(options: DefaultLoggerOptions = {}): Logger {
  const level = options.level ?? process.env[LOG_LEVEL_VARIABLE] ?? DEFAULT_LOG_LEVEL;
  return options.destination === 'stderr' ? pino({ level }, pino.destination(STDERR_FD)) : pino({ level });
}

/**
 * A child logger for one component, so every line names where it came from.
 * Callers must never pass tokens, keys or payloads as bindings.
 */
export function componentLogger(parent: Logger, component: string, bindings: Record<string, string> = {}): Logger {
  return parent.child({ component, ...bindings });
}
