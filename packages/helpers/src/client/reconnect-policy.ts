/** How a client retries after losing its connection. */
export interface ReconnectPolicy {
  enabled: boolean;
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** 0..1: how much of each delay is randomized away, so clients do not return in lockstep. */
  jitter: number;
  maxAttempts: number;
}

export const RECONNECT_DEFAULTS: Readonly<ReconnectPolicy> = Object.freeze({
  enabled: true,
  initialDelayMs: 250,
  maxDelayMs: 10_000,
  factor: 2,
  jitter: 0.5,
  maxAttempts: Number.POSITIVE_INFINITY,
});

/** The delay before reconnect attempt `attempt` (0-based): exponential, capped, jittered. */
export function reconnectDelay(policy: ReconnectPolicy, attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** attempt);
  return Math.round(exponential * (1 - policy.jitter * random()));
}
