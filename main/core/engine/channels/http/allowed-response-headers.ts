/**
 * Response headers the channel may hand back through the control plane: only the shared
 * allowlist (RESPONSE_HEADER_ALLOWLIST), in canonical casing, minus headers named in the
 * response's `Connection` header, minus empty values; multi-values kept.
 *
 * Private to the HTTP channel for now; it can be swapped for the shared
 * `protocol/response-headers.ts#filterResponseHeaders` once that lands.
 */
import { RESPONSE_HEADER_ALLOWLIST, type HeaderMap } from '../../protocol/wire.js';

type IncomingHeaders = Record<string, string | string[] | undefined>;

const CANONICAL = new Map<string, string>(RESPONSE_HEADER_ALLOWLIST.map((n) => [n.toLowerCase(), n]));

function values(raw: string | string[] | undefined): string[] {
  if (raw === undefined) return [];
  return (Array.isArray(raw) ? raw : [raw]).filter((v) => v.trim() !== '');
}

export function allowedResponseHeaders(headers: IncomingHeaders): HeaderMap {
  const out: HeaderMap = {};
  let connection: Set<string> | undefined;
  for (const name in headers) {
    if (name.toLowerCase() !== 'connection') continue;
    for (const v of values(headers[name])) {
      for (const t of v.split(',')) (connection ??= new Set()).add(t.trim().toLowerCase());
    }
  }
  for (const name in headers) {
    const lower = name.toLowerCase();
    const canonical = CANONICAL.get(lower);
    if (!canonical || connection?.has(lower)) continue;
    const vs = values(headers[name]);
    if (vs.length === 0) continue;
    const existing = out[canonical];
    out[canonical] = existing ? [...existing, ...vs] : vs;
  }
  return out;
}
