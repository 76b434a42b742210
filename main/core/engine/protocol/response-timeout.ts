/**
 * `response_timeout` of a polled command (protocol README): exactly one non-negative integer and
 * one unit of `ns|us|ms|s|m|h`, e.g. `30s`, `4500ms`, `0s`. The deadline is the poll receipt
 * time plus this duration and covers the MCP work AND the response POST.
 *
 * Anything else (malformed text, a number, null, absent) means "no deadline": fail open. The
 * deadline is never derived from `created_at`.
 *
 * Huge values are capped at {@link MAX_RESPONSE_TIMEOUT_MS} (2^31 − 1 ms, about 24.8 days, the
 * largest delay a Node timer accepts) rather than overflowing; no command lives that long anyway
 * because `MCP_CONNECTION_MAX_TTL` bounds the MCP work.
 */

export const MAX_RESPONSE_TIMEOUT_MS = 2 ** 31 - 1;

const RESPONSE_TIMEOUT = /^([0-9]+)(ns|us|ms|s|m|h)$/;

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Milliseconds (may be fractional for `ns`/`us`), `0` for an already expired `0s`, or
 * `undefined` when the value is not a valid response timeout. Never throws.
 */
export function parseResponseTimeout(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = RESPONSE_TIMEOUT.exec(value);
  if (!match) return undefined;
  const digits = match[1] ?? '';
  const factor = UNIT_MS[match[2] ?? ''];
  if (factor === undefined) return undefined;
  // Number() of a very long digit string is Infinity (or imprecise past 2^53): both cap below.
  const ms = Number(digits) * factor;
  if (!(ms <= MAX_RESPONSE_TIMEOUT_MS)) return MAX_RESPONSE_TIMEOUT_MS;
  return ms;
}
