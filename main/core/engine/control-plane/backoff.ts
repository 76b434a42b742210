/**
 * Bounded exponential backoff with full jitter (AWS "full jitter": a uniform delay in
 * [0, min(max, base·2^(n-1))]). A valid `Retry-After` is a minimum, itself capped by
 * `maxRetryAfterMs`; no wait ever runs past a deadline (the caller gives up instead).
 *
 * Used by `respond()` here and exported for the poll loop, which owns poll retries.
 */

export interface BackoffPolicy {
  /** First retry's jitter ceiling. */
  baseDelayMs: number;
  /** Ceiling of the exponential part. */
  maxDelayMs: number;
  /** A server's Retry-After beyond this is clamped to it. */
  maxRetryAfterMs: number;
  /** Attempts in total (the first try included); Infinity for "until cancelled". */
  maxAttempts: number;
}

/** Response POSTs: short, a handful of attempts, always bounded by the command deadline. */
export const RESPOND_BACKOFF: BackoffPolicy = {
  baseDelayMs: 100,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
  maxAttempts: 6,
};

/** Polls after network errors, 429 and 5xx: forever until stopped, never faster than the cap allows. */
export const POLL_BACKOFF: BackoffPolicy = {
  baseDelayMs: 250,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  maxAttempts: Number.POSITIVE_INFINITY,
};

/** Polls after 401/403: operator action is needed, so wait long between probes (no tight loop). */
export const POLL_AUTH_BACKOFF: BackoffPolicy = {
  baseDelayMs: 5_000,
  maxDelayMs: 60_000,
  maxRetryAfterMs: 300_000,
  maxAttempts: Number.POSITIVE_INFINITY,
};

/** Full-jitter delay before retry number `retry` (1 = the first retry). `random()` ∈ [0, 1). */
export function backoffDelay(
  policy: BackoffPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(retry - 1, 0), 30);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

export interface RetryDelayInput {
  /** Attempts already made (≥ 1). */
  attempts: number;
  /** Parsed Retry-After of the last answer, if it had a valid one. */
  retryAfterMs?: number;
  random?: () => number;
  /** Monotonic now and deadline (same clock); with both, a wait reaching the deadline is refused. */
  now?: number;
  deadline?: number;
}

/**
 * How long to wait before the next attempt, or undefined to give up: attempts exhausted, or
 * the wait would end at or past the deadline.
 */
export function retryDelay(policy: BackoffPolicy, input: RetryDelayInput): number | undefined {
  if (input.attempts >= policy.maxAttempts) return undefined;
  let delay = backoffDelay(policy, input.attempts, input.random);
  if (input.retryAfterMs !== undefined) {
    delay = Math.max(delay, Math.min(input.retryAfterMs, policy.maxRetryAfterMs));
  }
  if (input.deadline !== undefined && input.now !== undefined && input.now + delay >= input.deadline) {
    return undefined;
  }
  return delay;
}
