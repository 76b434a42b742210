/**
 * The daemon's loopback admin listener:
 *   GET  /healthz          process alive (no token: for orchestrators)
 *   GET  /readyz           200 when ready, 503 with the failing conditions (no token)
 *   GET  /metrics          Prometheus text (no token; Host-checked)
 *   POST /api/<method>     the admin contract as JSON, `Authorization: Bearer <admin token>`
 *   GET  /api/events       the contract's events as SSE (same token)
 *   GET  /ui/...           the built admin UI, when present
 * Every request's Host must name this listener (DNS-rebinding protection) and a present Origin
 * must be this listener's own. Binds loopback unless remote access is explicitly allowed.
 */
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../observability/logger.js';
import type { AdminService } from './admin-service.js';
import type { Readiness } from './tunnel-manager.js';
import { serveStatic } from './static-files.js';

export interface AdminHttpOptions {
  service: AdminService;
  readiness: () => Readiness;
  metricsText?: () => Promise<{ contentType: string; text: string }>;
  logger: Logger;
  /** `host:port`; default 127.0.0.1:0. */
  listen?: string;
  /** Required to bind a non-loopback address. */
  allowRemote?: boolean;
  /** Per-launch token; generated when absent. */
  token?: string;
  /** Directory of the built admin UI (index.html). */
  uiDir?: string;
  heartbeatMs?: number;
  maxBodyBytes?: number;
}

export interface AdminHttpServer {
  url: string;
  token: string;
  /** `<url>/ui/#token=<token>`: opens the UI already signed in. */
  uiUrl: string;
  close(): Promise<void>;
}

export class AdminListenError extends Error {
  readonly code = 'admin_listen_failed';
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function parseListenAddr(value: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]*):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new AdminListenError(`'${value}' is not host:port (e.g. 127.0.0.1:8080).`);
  const host = (m[1] || '127.0.0.1').replace(/^\[|\]$/g, '');
  return { host, port };
}

export async function startAdminHttpServer(options: AdminHttpOptions): Promise<AdminHttpServer> {
  const { host, port } = parseListenAddr(options.listen ?? '127.0.0.1:0');
  if (!LOOPBACK.has(host) && !options.allowRemote) {
    throw new AdminListenError(
      `Refusing to serve the admin API on ${host}: it is not a loopback address. Use 127.0.0.1, or pass --admin.allow-remote if you really mean it.`,
    );
  }
  const token = options.token ?? randomBytes(32).toString('base64url');
  const tokenHash = createHash('sha256').update(token).digest();
  const allowedHosts = new Set<string>();
  const log = options.logger.child('admin-http');
  const sseClients = new Set<ServerResponse>();

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error('admin request failed', { error: err as Error });
      if (!res.headersSent)
        json(res, 500, { ok: false, error: { code: 'internal', message: 'internal error' } });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    if (!allowedHosts.has((req.headers.host ?? '').toLowerCase())) {
      json(res, 403, { ok: false, error: { code: 'forbidden', message: 'Host not allowed.' } });
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts.has(originHost(origin))) {
      json(res, 403, { ok: false, error: { code: 'forbidden', message: 'Origin not allowed.' } });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://admin');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/healthz') return json(res, 200, { status: 'ok' });
    if (req.method === 'GET' && path === '/readyz') {
      const r = options.readiness();
      return json(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not_ready', reasons: r.reasons });
    }
    if (req.method === 'GET' && path === '/metrics') {
      if (!options.metricsText) return json(res, 404, { error: 'metrics are not enabled' });
      const m = await options.metricsText();
      res.writeHead(200, { 'Content-Type': m.contentType });
      res.end(m.text);
      return;
    }
    if (path === '/' || path === '/ui') {
      res.writeHead(302, { Location: '/ui/' });
      res.end();
      return;
    }
    if (path.startsWith('/ui/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return json(res, 405, { error: 'method not allowed' });
      return serveStatic(options.uiDir, path.slice('/ui/'.length), res);
    }
    if (path.startsWith('/api/')) {
      if (!authorized(req)) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        return json(res, 401, {
          ok: false,
          error: {
            code: 'unauthorized',
            message:
              'Missing or wrong admin token: use the token printed at start-up (Authorization: Bearer …).',
          },
        });
      }
      if (path === '/api/events' && req.method === 'GET') return openEvents(res);
      if (req.method !== 'POST')
        return json(res, 405, {
          ok: false,
          error: { code: 'bad_request', message: 'Use POST for API calls.' },
        });
      const method = decodeURIComponent(path.slice('/api/'.length));
      const body = await readJson(req, options.maxBodyBytes ?? 1024 * 1024);
      if (!body.ok)
        return json(res, body.status, { ok: false, error: { code: 'bad_request', message: body.message } });
      const result = await options.service.invoke(method, body.value);
      const status = result.ok ? 200 : statusFor(result.error.code);
      return json(res, status, result);
    }
    json(res, 404, { ok: false, error: { code: 'not_found', message: 'Not found.' } });
  }

  function authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer (.+)$/.exec(header);
    if (!m?.[1]) return false;
    return timingSafeEqual(createHash('sha256').update(m[1]).digest(), tokenHash);
  }

  function openEvents(res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', Connection: 'keep-alive' });
    res.write(': connected\n\n');
    sseClients.add(res);
    const unsubscribe = options.service.subscribe((event, payload) => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': keepalive\n\n'), options.heartbeatMs ?? 15_000);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      sseClients.delete(res);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new AdminListenError(
          `Cannot listen on ${host}:${port} (${err.code ?? err.message}): choose another --health.listen-addr.`,
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  for (const h of [hostForUrl, ...(LOOPBACK.has(host) ? ['127.0.0.1', 'localhost', '[::1]'] : [])])
    allowedHosts.add(`${h}:${bound}`.toLowerCase());
  const url = `http://${hostForUrl}:${bound}`;
  log.info('admin listening', { url });
  return {
    url,
    token,
    uiUrl: `${url}/ui/#token=${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of sseClients) c.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function originHost(origin: string): string {
  try {
    const u = new URL(origin);
    return u.protocol === 'http:' ? u.host.toLowerCase() : '';
  } catch {
    return '';
  }
}

function statusFor(code: string): number {
  switch (code) {
    case 'bad_request':
    case 'validation_failed':
      return 400;
    case 'unauthorized':
      return 401;
    case 'forbidden':
      return 403;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'unavailable':
    case 'keychain_unavailable':
      return 503;
    default:
      return 500;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(text);
}

async function readJson(
  req: IncomingMessage,
  limit: number,
): Promise<{ ok: true; value: unknown } | { ok: false; status: number; message: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return { ok: false, status: 413, message: `Request body over ${limit} bytes.` };
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, status: 400, message: 'The body is not valid JSON.' };
  }
}
