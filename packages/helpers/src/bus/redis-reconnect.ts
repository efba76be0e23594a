/**
 * The reconnect strategy every Redis connection of the library uses: the
 * first retry after `initialDelayMs`, each next one twice as late, never
 * later than `maxDelayMs`.
 */
export function exponentialReconnect(initialDelayMs: number, maxDelayMs: number): (retries: number) => number {
  return (retries) => Math.min(maxDelayMs, initialDelayMs * 2 ** retries);
}
