import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  retryDelay,
  RESPOND_BACKOFF,
  type BackoffPolicy,
} from '../../../../../main/core/engine/control-plane/backoff.js';

const policy: BackoffPolicy = { baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000, maxAttempts: 5 };
const almostOne = (): number => 0.999999;

describe('backoffDelay', () => {
  it('grows exponentially up to the cap (ceiling with random → 1)', () => {
    expect([1, 2, 3, 4, 5, 6, 40].map((n) => backoffDelay(policy, n, almostOne))).toEqual([
      99, 199, 399, 799, 999, 999, 999,
    ]);
  });

  it('uses full jitter: anywhere from 0 to the ceiling', () => {
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(200);
  });
});

describe('retryDelay', () => {
  it('stops after maxAttempts', () => {
    expect(retryDelay(policy, { attempts: 4, random: () => 0.5 })).toBe(400);
    expect(retryDelay(policy, { attempts: 5, random: () => 0.5 })).toBeUndefined();
  });

  it('treats Retry-After as a minimum, capped', () => {
    expect(retryDelay(policy, { attempts: 1, retryAfterMs: 2_000, random: () => 0.5 })).toBe(2_000);
    expect(retryDelay(policy, { attempts: 4, retryAfterMs: 10, random: () => 0.999 })).toBe(799);
    expect(retryDelay(policy, { attempts: 1, retryAfterMs: 3_600_000, random: () => 0 })).toBe(5_000);
  });

  it('never waits up to or past the deadline', () => {
    expect(retryDelay(policy, { attempts: 1, random: () => 0.5, now: 100, deadline: 151 })).toBe(50);
    expect(retryDelay(policy, { attempts: 1, random: () => 0.5, now: 100, deadline: 150 })).toBeUndefined();
    expect(
      retryDelay(policy, { attempts: 1, retryAfterMs: 2_000, random: () => 0, now: 0, deadline: 1_500 }),
    ).toBeUndefined();
  });

  it('has sane response-POST defaults', () => {
    expect(RESPOND_BACKOFF.maxAttempts).toBeGreaterThan(1);
    expect(RESPOND_BACKOFF.maxRetryAfterMs).toBeGreaterThanOrEqual(RESPOND_BACKOFF.maxDelayMs);
  });
});
