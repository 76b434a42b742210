/**
 * `resp_headers` of a response POST: only RESPONSE_HEADER_ALLOWLIST survives (matched
 * case-insensitively, written in the allowlist's canonical casing). Headers named in
 * `Connection` are dropped (hop-by-hop), empty values are dropped, multi-values are kept in order.
 */
import { RESPONSE_HEADER_ALLOWLIST, type HeaderMap } from './wire.js';

/** A fetch `Headers` (or anything with the same `forEach`). Values arrive already comma-joined. */
export interface HeadersLike {
  forEach(callback: (value: string, name: string) => void): void;
}

/** Node's IncomingHttpHeaders / OutgoingHttpHeaders shape, or a wire HeaderMap. */
export type HeaderRecord = Readonly<Record<string, string | readonly string[] | number | undefined>>;

export type HeaderSource = HeaderMap | HeaderRecord | HeadersLike;

const CANONICAL = new Map<string, string>(
  RESPONSE_HEADER_ALLOWLIST.map((name) => [name.toLowerCase(), name]),
);

function isHeadersLike(source: HeaderSource): source is HeadersLike {
  return typeof (source as { forEach?: unknown }).forEach === 'function';
}

function forEachValue(source: HeaderSource, visit: (name: string, value: string) => void): void {
  if (isHeadersLike(source)) {
    source.forEach((value, name) => visit(name, value));
    return;
  }
  for (const name of Object.keys(source)) {
    const value = (source as HeaderRecord)[name];
    if (value === undefined) continue;
    if (typeof value === 'string') visit(name, value);
    else if (typeof value === 'number') visit(name, String(value));
    else for (const v of value) if (typeof v === 'string') visit(name, v);
  }
}

/** Header names listed in `Connection` values (lower-cased). */
function connectionListed(source: HeaderSource): Set<string> | undefined {
  let listed: Set<string> | undefined;
  forEachValue(source, (name, value) => {
    if (name.toLowerCase() !== 'connection') return;
    for (const token of value.split(',')) {
      const t = token.trim().toLowerCase();
      if (t !== '') (listed ??= new Set()).add(t);
    }
  });
  return listed;
}

/** Keep only the allowlisted response headers, canonically cased, multi-valued. */
export function filterResponseHeaders(source: HeaderSource): HeaderMap {
  const listed = connectionListed(source);
  const out: HeaderMap = {};
  forEachValue(source, (name, value) => {
    const lower = name.toLowerCase();
    const canonical = CANONICAL.get(lower);
    if (canonical === undefined || listed?.has(lower)) return;
    if (value.trim() === '') return;
    const values = out[canonical];
    if (values) values.push(value);
    else out[canonical] = [value];
  });
  return out;
}
