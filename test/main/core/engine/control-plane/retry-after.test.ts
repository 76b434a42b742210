import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../../../../main/core/engine/control-plane/retry-after.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('7', NOW)).toBe(7_000);
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120_000);
    expect(parseRetryAfter(['3', '9'], NOW)).toBe(3_000);
  });

  it('reads an HTTP-date relative to the injected wall clock', () => {
    expect(parseRetryAfter(new Date(NOW + 12_000).toUTCString(), NOW)).toBe(12_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:01:00 GMT', NOW)).toBe(60_000);
    // RFC 850 form.
    expect(parseRetryAfter('Thursday, 01-Jan-26 12:00:30 GMT', NOW)).toBe(30_000);
  });

  it('treats a date in the past as "now"', () => {
    expect(parseRetryAfter('Wed, 31 Dec 2025 12:00:00 GMT', NOW)).toBe(0);
  });

  it.each(['', '  ', '-1', '1.5', 'soon', '2026-01-01T12:00:10Z', 'Mon, 99 Foo 2026 GMT', '1e3'])(
    'ignores the invalid value %j',
    (value) => {
      expect(parseRetryAfter(value, NOW)).toBeUndefined();
    },
  );

  it('ignores an absent header', () => {
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter([], NOW)).toBeUndefined();
  });
});
