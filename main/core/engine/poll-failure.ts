/**
 * What a failed poll means for the tunnel, and how long to wait before the next one.
 *
 * Errors from `ControlPlaneClient.poll()` are read by shape (`{code, status?, retryAfterMs?,
 * apiCode?}`), so this file does not depend on the client's error class. Anything else thrown
 * by a client is a bug and is classified `internal`.
 *
 * Retry schedules:
 * - `auth` (401/403) and `bad_request` (other 4xx) need operator action: slow, 30 s doubling to
 *   5 min (plus up to 20 % jitter), never a tight loop. The tunnel recovers by itself when a
 *   poll succeeds again.
 * - everything else (network, 429, 5xx, undecodable answers): exponential backoff with full
 *   jitter from 500 ms, capped at 30 s, with a floor of 100 ms.
 * - a `Retry-After` (already parsed by the client into `retryAfterMs`) is a minimum, capped at 5 min.
 */
import type { ControlPlaneErrorCode } from './control-plane/types.js';

export interface ControlPlaneErrorLike {
  code: ControlPlaneErrorCode;
  status?: number;
  retryAfterMs?: number;
  apiCode?: string;
}

const CODES: ReadonlySet<string> = new Set<ControlPlaneErrorCode>([
  'auth',
  'rate_limited',
  'unavailable',
  'bad_request',
  'network',
  'protocol',
]);

export function isControlPlaneErrorLike(error: unknown): error is ControlPlaneErrorLike {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && CODES.has(code);
}

export type PollFailureKind = ControlPlaneErrorCode | 'internal';

export interface PollFailure {
  kind: PollFailureKind;
  status?: number;
  apiCode?: string;
  retryAfterMs?: number;
}

function finiteNonNegative(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

export function classifyPollError(error: unknown): PollFailure {
  if (!isControlPlaneErrorLike(error)) return { kind: 'internal' };
  const failure: PollFailure = { kind: error.code };
  const status = finiteNonNegative(error.status);
  if (status !== undefined) failure.status = status;
  if (typeof error.apiCode === 'string' && error.apiCode !== '') failure.apiCode = error.apiCode;
  const retryAfterMs = finiteNonNegative(error.retryAfterMs);
  if (retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
  return failure;
}

export const POLL_BACKOFF = {
  fastBaseMs: 500,
  fastCapMs: 30_000,
  fastFloorMs: 100,
  slowBaseMs: 30_000,
  slowCapMs: 300_000,
  retryAfterCapMs: 300_000,
} as const;

/** Failures that need the operator: retried slowly. */
export function needsOperator(kind: PollFailureKind): boolean {
  return kind === 'auth' || kind === 'bad_request';
}

/**
 * Delay before the next poll after `attempt` consecutive failures (1 = first failure).
 * `random` returns [0, 1).
 */
export function pollRetryDelayMs(failure: PollFailure, attempt: number, random: () => number): number {
  const n = Math.max(1, Math.min(attempt, 30));
  let delay: number;
  if (needsOperator(failure.kind)) {
    const base = Math.min(POLL_BACKOFF.slowCapMs, POLL_BACKOFF.slowBaseMs * 2 ** (n - 1));
    delay = base * (1 + 0.2 * random());
  } else {
    const ceiling = Math.min(POLL_BACKOFF.fastCapMs, POLL_BACKOFF.fastBaseMs * 2 ** (n - 1));
    delay = Math.max(POLL_BACKOFF.fastFloorMs, ceiling * random());
  }
  if (failure.retryAfterMs !== undefined) {
    delay = Math.max(delay, Math.min(failure.retryAfterMs, POLL_BACKOFF.retryAfterCapMs));
  }
  return Math.round(delay);
}
