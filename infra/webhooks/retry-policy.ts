/**
 * Exponential back-off with jitter for callbacks that cannot be applied yet (payment not created,
 * prerequisite callback not arrived, event store busy), then parking after a bounded number of
 * attempts so that nothing retries forever.
 */
export interface RetryPolicy {
  /** Failed attempts before the callback is parked (the last failure parks it). */
  attemptsMax: number;
  baseDelayMs: number;
  delayMaxMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  attemptsMax: 8,
  baseDelayMs: 1_000,
  delayMaxMs: 10 * 60_000,
};

/**
 * Delay before the attempt after `attempt` failures: base * 2^(attempt-1), capped, with "equal
 * jitter" (half fixed, half random) so that a burst of failures does not retry in lockstep.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: () => number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(policy.delayMaxMs, policy.baseDelayMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export function shouldPark(policy: RetryPolicy, attempt: number): boolean {
  return attempt >= policy.attemptsMax;
}
