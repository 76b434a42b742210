/**
 * Which caller headers travel in a command, and which engine headers reach the caller.
 *
 * Toward the engine: everything the MCP client sent except hop-by-hop, proxy, forwarding and
 * credential headers (the connector token in Authorization and any Cookie stay at the relay;
 * no token passthrough). Names are canonicalized like Go's net/http (`Mcp-Session-Id`), as the
 * hosted service does.
 * Toward the caller: only the allowlisted response headers the relay does not own itself
 * (framing headers such as Content-Type and CORS are the relay's).
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { HeaderMap } from '../engine/protocol/wire.js';

const STRIPPED = new Set([
  'authorization',
  'connection',
  'content-length',
  'cookie',
  'expect',
  'forwarded',
  'host',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'x-real-ip',
]);

function stripped(name: string): boolean {
  return STRIPPED.has(name) || name.startsWith('proxy-') || name.startsWith('x-forwarded-');
}

/** `mcp-session-id` → `Mcp-Session-Id`. */
export function canonicalHeaderName(name: string): string {
  let out = '';
  let upper = true;
  for (const ch of name) {
    out += upper ? ch.toUpperCase() : ch.toLowerCase();
    upper = ch === '-';
  }
  return out;
}

/**
 * The caller's headers as a command's multi-valued map. `distinct` is Node's
 * `req.headersDistinct` (lowercase names, every value kept).
 */
export function forwardedHeaders(distinct: Record<string, string[]>, raw: IncomingHttpHeaders): HeaderMap {
  const named = new Set<string>();
  const connection = raw['connection'];
  if (connection) for (const token of connection.split(',')) named.add(token.trim().toLowerCase());
  const out: HeaderMap = {};
  for (const name in distinct) {
    if (stripped(name) || named.has(name)) continue;
    const values = distinct[name];
    if (values && values.length > 0) out[canonicalHeaderName(name)] = values;
  }
  return out;
}

/**
 * Response headers from the engine that the relay passes on to the MCP caller. A Map, not an
 * object literal: `resp_headers` names are untrusted, and `constructor` or `__proto__` must not
 * find Object.prototype members (that once produced an invalid header name and a hung caller).
 */
const TO_CALLER = new Map<string, string>([
  ['mcp-session-id', 'Mcp-Session-Id'],
  ['mcp-protocol-version', 'Mcp-Protocol-Version'],
  ['last-event-id', 'Last-Event-ID'],
  ['www-authenticate', 'WWW-Authenticate'],
]);

/** Copy the allowlisted `resp_headers` onto `target` (empty values dropped, multi-values kept). */
export function applyResponseHeaders(target: OutgoingHttpHeaders, respHeaders: HeaderMap | undefined): void {
  if (!respHeaders) return;
  for (const name in respHeaders) {
    const canonical = TO_CALLER.get(name.toLowerCase());
    if (!canonical) continue;
    const values = respHeaders[name]?.filter((v) => v !== '');
    if (values && values.length > 0) target[canonical] = values.length === 1 ? values[0] : values;
  }
}

/** First value of a header in a multi-valued map, case-insensitively. */
export function headerValue(headers: HeaderMap | undefined, lowerName: string): string | undefined {
  if (!headers) return undefined;
  for (const name in headers) {
    if (name.toLowerCase() === lowerName) {
      const value = headers[name]?.[0];
      if (value) return value;
    }
  }
  return undefined;
}
