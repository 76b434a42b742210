import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_RESPONSE_TIMEOUT_MS,
  parseResponseTimeout,
} from '../../../../../main/core/engine/protocol/response-timeout.js';

describe('parseResponseTimeout', () => {
  it.each([
    ['30s', 30_000],
    ['4500ms', 4_500],
    ['0s', 0],
    ['0ms', 0],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1500us', 1.5],
    ['2000000ns', 2],
    ['007s', 7_000],
  ])('%s → %d ms', (value, ms) => {
    expect(parseResponseTimeout(value)).toBe(ms);
  });

  it.each([
    ['absent', undefined],
    ['null', null],
    ['a number', 30],
    ['an object', { seconds: 30 }],
    ['empty', ''],
    ['no unit', '30'],
    ['no number', 's'],
    ['negative', '-5s'],
    ['fraction', '1.5s'],
    ['compound', '1m30s'],
    ['spaces', ' 30s'],
    ['trailing space', '30s '],
    ['unknown unit', '30d'],
    ['micro sign', '30µs'],
    ['upper case', '30S'],
    ['plus sign', '+30s'],
  ])('%s → no deadline', (_name, value) => {
    expect(parseResponseTimeout(value)).toBeUndefined();
  });

  it('caps huge values instead of overflowing', () => {
    expect(parseResponseTimeout(`${'9'.repeat(400)}h`)).toBe(MAX_RESPONSE_TIMEOUT_MS);
    expect(parseResponseTimeout('9007199254740993ms')).toBe(MAX_RESPONSE_TIMEOUT_MS);
    expect(parseResponseTimeout('2147483647ms')).toBe(MAX_RESPONSE_TIMEOUT_MS);
    expect(parseResponseTimeout('2147483646ms')).toBe(2147483646);
  });

  it('never throws and returns undefined or a bounded non-negative number for any input', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const ms = parseResponseTimeout(value);
        if (typeof value !== 'string') expect(ms).toBeUndefined();
        if (ms !== undefined) {
          expect(Number.isFinite(ms)).toBe(true);
          expect(ms).toBeGreaterThanOrEqual(0);
          expect(ms).toBeLessThanOrEqual(MAX_RESPONSE_TIMEOUT_MS);
        }
      }),
    );
  });

  it('accepts exactly digits + one unit', () => {
    const unit = fc.constantFrom('ns', 'us', 'ms', 's', 'm', 'h');
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,30}$/), unit, (digits, u) => {
        const ms = parseResponseTimeout(`${digits}${u}`);
        expect(ms).toBeDefined();
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThanOrEqual(MAX_RESPONSE_TIMEOUT_MS);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        const valid = /^[0-9]+(ns|us|ms|s|m|h)$/.test(text);
        expect(parseResponseTimeout(text) !== undefined).toBe(valid);
      }),
    );
  });

  it('is exact for small values of every unit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), (n) => {
        expect(parseResponseTimeout(`${n}ms`)).toBe(n);
        expect(parseResponseTimeout(`${n}s`)).toBe(n * 1_000);
        expect(parseResponseTimeout(`${n}m`)).toBe(n * 60_000);
        expect(parseResponseTimeout(`${n}h`)).toBe(n * 3_600_000);
      }),
    );
  });
});
