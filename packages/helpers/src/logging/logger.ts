import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Environment variable read for the default log level. */
const LOG_LEVEL_VARIABLE = 'LOG_LEVEL';
const DEFAULT_LOG_LEVEL = 'info';

/**
 * The logger used when an application supplies none: pino at `level`, or at
 * `LOG_LEVEL`, or `info`; JSON lines on stdout.
 */
export function createDefaultLogger(options: { level?: string } = {}): Logger {
  return pino({ level: options.level ?? process.env[LOG_LEVEL_VARIABLE] ?? DEFAULT_LOG_LEVEL });
}

/**
 * A child logger for one component, so every line names where it came from.
 * Callers must never pass tokens, keys or payloads as bindings.
 */
export function componentLogger(parent: Logger, component: string, bindings: Record<string, string> = {}): Logger {
  return parent.child({ component, ...bindings });
}
