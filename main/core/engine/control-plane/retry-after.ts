/**
 * `Retry-After` (RFC 9110 §10.2.3): delta-seconds (`120`) or an HTTP-date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`), turned into milliseconds from `wallNowMs` (epoch ms from
 * the injected clock). Anything else (empty, negative, fractional, garbage) → undefined, which
 * callers treat as "no hint". A date in the past → 0.
 */

const DELTA_SECONDS = /^\d{1,10}$/;
/** IMF-fixdate, RFC 850 and asctime all begin with a day name. */
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /;

export function parseRetryAfter(
  value: string | readonly string[] | undefined,
  wallNowMs: number,
): number | undefined {
  const raw = Array.isArray(value) ? (value as readonly string[])[0] : (value as string | undefined);
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  if (DELTA_SECONDS.test(text)) return Number(text) * 1000;
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(0, at - wallNowMs);
}
