/**
 * DNS-rebinding protection and CORS for the browser-reachable surfaces (front door, /metrics).
 * Host must be one the relay is reached by; a present Origin must be allowed. Allowed by
 * default: the loopback names with the listening port, the public URL's host, and the relay's
 * own http(s) origins for those hosts. `*` in allowedHosts turns the Host check off (behind a
 * proxy that already enforces it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const CORS_ALLOW_HEADERS =
  'Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID, Mcp-Method, Mcp-Name';
export const CORS_EXPOSE_HEADERS = 'Mcp-Session-Id, Mcp-Protocol-Version';

export interface HostGuard {
  hostAllowed(host: string | undefined): boolean;
  originAllowed(origin: string): boolean;
}

export interface HostGuardOptions {
  port: number;
  publicUrl?: string;
  allowedHosts?: readonly string[];
  allowedOrigins?: readonly string[];
}

export function createHostGuard(options: HostGuardOptions): HostGuard {
  const hosts = new Set<string>([
    `127.0.0.1:${options.port}`,
    `localhost:${options.port}`,
    `[::1]:${options.port}`,
  ]);
  if (options.publicUrl) {
    const url = new URL(options.publicUrl);
    hosts.add(url.host.toLowerCase());
    // Clients omit a default port from Host; URL.host already does the same.
  }
  for (const host of options.allowedHosts ?? []) hosts.add(host.toLowerCase());
  const anyHost = hosts.has('*');
  const origins = new Set<string>();
  for (const host of hosts) {
    if (host === '*') continue;
    origins.add(`http://${host}`);
    origins.add(`https://${host}`);
  }
  for (const origin of options.allowedOrigins ?? []) origins.add(origin.replace(/\/+$/, '').toLowerCase());
  return {
    hostAllowed: (host) => anyHost || (host !== undefined && hosts.has(host.toLowerCase())),
    originAllowed: (origin) => origins.has(origin.toLowerCase()),
  };
}

export type GuardVerdict = 'ok' | 'foreign_host' | 'foreign_origin';

/**
 * Check Host and Origin; for an allowed Origin set the CORS response headers.
 * Returns why the request is refused, or 'ok'.
 */
export function guardRequest(guard: HostGuard, req: IncomingMessage, res: ServerResponse): GuardVerdict {
  if (!guard.hostAllowed(req.headers.host)) return 'foreign_host';
  const origin = req.headers.origin;
  if (origin === undefined) return 'ok';
  if (!guard.originAllowed(origin)) return 'foreign_origin';
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('access-control-expose-headers', CORS_EXPOSE_HEADERS);
  res.setHeader('vary', 'Origin');
  return 'ok';
}

/** Answer a CORS preflight (the guard already passed). */
export function answerPreflight(res: ServerResponse): void {
  res.writeHead(204, {
    'access-control-allow-methods': 'POST, DELETE, OPTIONS',
    'access-control-allow-headers': CORS_ALLOW_HEADERS,
    'access-control-max-age': '600',
  });
  res.end();
}
