import { describe, expect, it } from 'vitest';
import {
  REDACTED,
  redactFields,
  redactText,
  registerSecret,
} from '../../../../main/core/observability/redact.js';

describe('redactText', () => {
  it('masks bearer tokens, API keys and URL credentials', () => {
    const text =
      'auth Bearer abcdef123456 key sk-proj-0123456789abcdef url https://bob:hunter22@example.com/x';
    const out = redactText(text);
    expect(out).not.toContain('abcdef123456');
    expect(out).not.toContain('sk-proj-0123456789abcdef');
    expect(out).not.toContain('hunter22');
    expect(out).toContain(REDACTED);
  });

  it('masks registered literal secrets wherever they appear', () => {
    registerSecret('canary-literal-7f3a9');
    expect(redactText('x=canary-literal-7f3a9;')).toBe(`x=${REDACTED};`);
  });

  it('masks secret-looking query parameters', () => {
    expect(redactText('GET /cb?access_token=zzz999&x=1')).toBe(`GET /cb?access_token=${REDACTED}&x=1`);
  });
});

describe('redactFields', () => {
  it('masks secret-named fields, including multi-valued headers, and leaves numbers alone', () => {
    const out = redactFields({
      headers: {
        Authorization: ['Bearer q'],
        'X-Tunnel-Shard-Token': 'shard-1',
        Accept: ['application/json'],
      },
      max_tokens: 12,
      nested: [{ apiKey: 'k' }],
    });
    expect(out).toEqual({
      headers: { Authorization: REDACTED, 'X-Tunnel-Shard-Token': REDACTED, Accept: ['application/json'] },
      max_tokens: 12,
      nested: [{ apiKey: REDACTED }],
    });
  });
});
