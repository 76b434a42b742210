/**
 * Outbound headers for a request to the MCP server: the command's headers (multi-valued, as the
 * control plane delivered them) minus what must not cross a proxy hop, plus the channel's own
 * `extraHeaders` (MCP_EXTRA_HEADERS; configured values win over the caller's for the same name).
 *
 * Kept: Mcp-Session-Id, MCP-Protocol-Version, Mcp-Method, Mcp-Name, Mcp-Param-*, Last-Event-ID,
 * Authorization and anything else the command carries. Dropped: hop-by-hop headers and any header
 * named in the command's `Connection`, Host, Content-Length, forwarding headers, and the
 * body-encoding headers we own (we serialize the body ourselves and want an identity response).
 */
import type { HeaderMap } from '../../protocol/wire.js';

export type OutboundHeaders = Record<string, string | string[]>;

const DROPPED = new Set([
  // hop-by-hop (RFC 9110 §7.6.1) and proxy headers
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  // recomputed for this hop
  'host',
  'content-length',
  // forwarding headers
  'forwarded',
  'x-real-ip',
  // we own the body encoding and the response negotiation
  'content-type',
  'content-encoding',
  'accept',
  'accept-encoding',
  'expect',
]);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\0\r\n]/;

function isDropped(lower: string): boolean {
  return DROPPED.has(lower) || lower.startsWith('proxy-') || lower.startsWith('x-forwarded-');
}

/** Header names listed in the command's own `Connection` header (also hop-by-hop). */
function connectionTokens(headers: HeaderMap): Set<string> | undefined {
  let tokens: Set<string> | undefined;
  for (const name in headers) {
    if (name.toLowerCase() !== 'connection') continue;
    for (const value of headers[name] ?? []) {
      for (const token of value.split(',')) {
        const t = token.trim().toLowerCase();
        if (t) (tokens ??= new Set()).add(t);
      }
    }
  }
  return tokens;
}

/** Validated, lower-cased `extraHeaders`, computed once per channel. */
export function prepareExtraHeaders(extra: Record<string, string> | undefined): OutboundHeaders {
  const out: OutboundHeaders = {};
  if (!extra) return out;
  for (const [name, value] of Object.entries(extra)) {
    const lower = name.toLowerCase();
    if (!TOKEN.test(name) || BAD_VALUE.test(value) || isDropped(lower)) {
      throw new Error(
        `HTTP_CHANNEL_BAD_EXTRA_HEADER: extra header "${TOKEN.test(name) ? name : '(invalid name)'}" cannot be sent; fix MCP_EXTRA_HEADERS`,
      );
    }
    out[lower] = value;
  }
  return out;
}

/**
 * Build the headers for one request. `accept` is set for POST (JSON + SSE); DELETE passes
 * `undefined` and gets no body headers.
 */
export function buildOutboundHeaders(
  command: HeaderMap,
  extra: OutboundHeaders,
  withBody: boolean,
): OutboundHeaders {
  const out: OutboundHeaders = {};
  const connection = connectionTokens(command);
  for (const name in command) {
    const values = command[name];
    if (!values || values.length === 0) continue;
    const lower = name.toLowerCase();
    if (isDropped(lower) || connection?.has(lower) || lower in extra || !TOKEN.test(name)) continue;
    const clean = values.filter((v) => !BAD_VALUE.test(v));
    if (clean.length === 0) continue;
    const existing = out[lower];
    if (existing === undefined) out[lower] = clean.length === 1 ? (clean[0] as string) : clean;
    else out[lower] = [...(Array.isArray(existing) ? existing : [existing]), ...clean];
  }
  for (const name in extra) out[name] = extra[name] as string;
  if (withBody) {
    out['accept'] = 'application/json, text/event-stream';
    out['content-type'] = 'application/json';
  }
  return out;
}

/** First value of a header in a command's multi-valued map, case-insensitive. */
export function commandHeader(headers: HeaderMap, lowerName: string): string | undefined {
  for (const name in headers) {
    if (name.toLowerCase() === lowerName) return headers[name]?.[0];
  }
  return undefined;
}
