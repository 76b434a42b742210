import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../../main/core/runtime/duration.js';

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['10m', 600_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['45', 45_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'abc', '10x', '5m junk', '-3s'])('rejects %j with a message that shows the form', (text) => {
    expect(() => parseDuration(text, 'CONTROL_PLANE_POLL_TIMEOUT')).toThrow(
      /CONTROL_PLANE_POLL_TIMEOUT.*e\.g\. 30s/,
    );
  });
});
