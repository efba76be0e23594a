import { SealedError } from '../protocol/sealed-error.ts';
import type { Logger } from './logger.ts';

/** Construction parameters of a {@link ThrottledLog}. */
export interface ThrottledLogInit {
  logger: Logger;
  /** Length of one window: the first event of each kind in it is logged, the rest are summed up at its end. */
  intervalMs: number;
}

/**
 * Logs events that a peer can cause at will (refused upgrades, rejected
 * frames, dropped bus envelopes) without letting a flood of them flood the
 * logs: per window, the first event of each kind and reason is logged at
 * `warn` with its details, and the others are counted and logged as one
 * summary line when the window ends (a window starts with the first event
 * after the last one ended). Its timer runs only while a window is open;
 * {@link stop} writes what is left.
 */
export class ThrottledLog {
  /** Events seen in this window by `kind` and then `reason`: the first is logged, the count includes it. */
  #counts = new Map<string, Map<string, number>>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(private readonly init: ThrottledLogInit) {}

  /** Notes one event; logs it if it is the first of its kind and reason in this window. */
  note(kind: string, reason: string, details: Record<string, unknown> = {}): void {
    if (this.#stopped) {
      this.init.logger.debug({ ...details, kind, reason }, kind);
      return;
    }
    let reasons = this.#counts.get(kind);
    if (!reasons) {
      reasons = new Map();
      this.#counts.set(kind, reasons);
    }
    const seen = reasons.get(reason) ?? 0;
    reasons.set(reason, seen + 1);
    this.#arm();
    if (seen > 0) return;
    this.init.logger.warn({ ...details, kind, reason }, `${kind}; more like it in the next ${this.init.intervalMs} ms are summed up`);
  }

  /** Writes the summary of the current window, if any, and stops the timer; later events are logged at `debug` only. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flush();
  }

  #arm(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, this.init.intervalMs);
    this.#timer.unref();
  }

  #flush(): void {
    const counts = this.#counts;
    this.#counts = new Map();
    for (const [kind, reasons] of counts) {
      const repeated: Record<string, number> = {};
      let total = 0;
      for (const [reason, count] of reasons) {
        if (count < 2) continue;
        repeated[reason] = count;
        total += count;
      }
      if (total > 0) this.init.logger.warn({ kind, counts: repeated, windowMs: this.init.intervalMs }, `${kind}: ${total} in the last ${this.init.intervalMs} ms, the first of each reason logged above`);
    }
  }
}

/** A short name for what went wrong, to group repeated failures by: a `SealedError`'s code, else the error's name. */
export function errorKind(error: unknown): string {
  if (SealedError.is(error)) return error.code;
  return error instanceof Error ? error.name : typeof error;
}
