/**
 * Go-style durations as the reference client's configuration uses them: `30s`, `10m`,
 * `1m30s`, `500ms`, `1.5h`. A bare number is taken as seconds. Returns milliseconds.
 */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;

export class DurationError extends Error {
  readonly code = 'invalid_duration';
}

export function parseDuration(text: string, what = 'duration'): number {
  const value = text.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  let total = 0;
  let consumed = 0;
  PART.lastIndex = 0;
  for (let m = PART.exec(value); m; m = PART.exec(value)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
    consumed = PART.lastIndex;
  }
  if (value === '' || consumed !== value.length) {
    throw new DurationError(
      `${what}: '${text}' is not a duration. Use a number with a unit, e.g. 30s, 10m or 1m30s.`,
    );
  }
  return Math.round(total);
}
