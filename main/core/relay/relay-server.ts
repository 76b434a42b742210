/**
 * `createRelay`: the tunnel service in one HTTP(S) server. Routes:
 *   GET  /healthz                               liveness
 *   GET  /metrics                               Prometheus text (Host-checked)
 *   GET  /v1/tunnels/{id}[/poll], POST …/response   control plane (control-plane-routes.ts)
 *   POST|DELETE|OPTIONS|GET /v1/mcp/{id}[/{channel}]  MCP front door (front-door.ts)
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from '../observability/logger.js';
import { systemClock, type Clock } from '../runtime/clock.js';
import { handleControlPlane } from './control-plane-routes.js';
import { handleFrontDoor } from './front-door.js';
import { createHostGuard, guardRequest } from './host-guard.js';
import { sendApiError } from './http-io.js';
import { createRelayMetrics, type RelayMetrics } from './metrics.js';
import { RelayContext, type RelaySettings } from './relay-context.js';
import { createMemoryStore, type RelayStore } from './store.js';
import { createTunnelAdmin, type TunnelAdmin } from './tunnel-admin.js';
import type { TunnelRuntime } from './tunnel-runtime.js';

export interface RelayOptions extends Partial<RelaySettings> {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Default: in-memory. The relay does not close a store it was given. */
  store?: RelayStore;
  clock?: Clock;
  logger?: Logger;
  /** Extra Host values to accept (`*` = any); loopback with the port is always allowed. */
  allowedHosts?: readonly string[];
  /** Extra Origins to accept (the relay's own origins are always allowed). */
  allowedOrigins?: readonly string[];
  /** The URL clients use to reach the relay (reverse proxy); mcpUrl is built from it. */
  publicUrl?: string;
  /** Serve HTTPS directly. */
  tls?: { certPem: string | Buffer; keyPem: string | Buffer };
}

export interface Relay {
  /** Where this process listens, e.g. http://127.0.0.1:41234 (control-plane base URL). */
  readonly url: string;
  readonly port: number;
  /** publicUrl or url: the base of MCP URLs. */
  readonly publicUrl: string;
  readonly tunnels: TunnelAdmin;
  readonly metrics: RelayMetrics;
  readonly store: RelayStore;
  mcpUrlFor(tunnelId: string): string;
  close(): Promise<void>;
}

export const RELAY_DEFAULTS: RelaySettings = {
  responseTimeoutMs: 120_000,
  maxPollHoldMs: 30_000,
  queueCapacity: 1000,
  heartbeatMs: 15_000,
  maxRequestBytes: 4 * 1024 * 1024,
  maxResponseBytes: 8 * 1024 * 1024,
  clientStaleMs: 70_000,
  pollRatePerSecond: 10_000,
  pollRateBurst: 20_000,
};

function resolveSettings(options: RelayOptions): RelaySettings {
  const settings = { ...RELAY_DEFAULTS };
  for (const key of Object.keys(RELAY_DEFAULTS) as (keyof RelaySettings)[]) {
    const value = options[key];
    if (value !== undefined) settings[key] = value;
  }
  if (options.clientStaleMs === undefined) settings.clientStaleMs = 2 * settings.maxPollHoldMs + 10_000;
  return settings;
}

export async function createRelay(options: RelayOptions = {}): Promise<Relay> {
  const logger = (options.logger ?? silentLogger).child('relay');
  const clock = options.clock ?? systemClock;
  const store = options.store ?? createMemoryStore();
  const metrics = createRelayMetrics();
  const ctx = new RelayContext(resolveSettings(options), store, clock, logger, metrics);
  metrics.bind({
    commandsQueued: () => sum(ctx, (r) => r.queue.length),
    pollersWaiting: () => sum(ctx, (r) => r.waiting.length),
    clientsConnected: () => sum(ctx, (r) => r.connectedInstances(clock.now())),
  });

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    try {
      route(ctx, req, res);
    } catch (error) {
      logger.error('relay request failed', { error: error as Error });
      if (!res.headersSent) sendApiError(res, 500, null, 'Internal relay error.');
      else res.destroy();
    }
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.certPem, key: options.tls.keyPem }, handler)
    : createHttpServer(handler);
  server.keepAliveTimeout = 75_000;
  server.headersTimeout = 80_000;

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const scheme = options.tls ? 'https' : 'http';
  const url = `${scheme}://${urlHost(host)}:${port}`;
  const publicUrl = (options.publicUrl ?? url).replace(/\/+$/, '');
  ctx.guard = createHostGuard({
    port,
    publicUrl: options.publicUrl,
    allowedHosts: options.allowedHosts,
    allowedOrigins: options.allowedOrigins,
  });
  const mcpUrlFor = (tunnelId: string): string => `${publicUrl}/v1/mcp/${tunnelId}`;

  const idleMs = Math.max(1, Math.floor(ctx.settings.heartbeatMs / 2));
  const ticker = setInterval(() => {
    const now = clock.now();
    for (const stream of ctx.streams) stream.tick(now, idleMs);
    ctx.sweepDeleted();
  }, idleMs);
  ticker.unref();
  logger.info('relay listening', { url, publicUrl });

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      ctx.closing = true;
      clearInterval(ticker);
      for (const runtime of ctx.runtimes.values()) runtime.dispose('shutdown');
      ctx.runtimes.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        setImmediate(() => server.closeIdleConnections());
        setTimeout(() => server.closeAllConnections(), 200).unref();
      });
      logger.info('relay closed');
    })());

  return {
    url,
    port,
    publicUrl,
    tunnels: createTunnelAdmin({ store, mcpUrlFor, wallNow: () => clock.wallNow() }),
    metrics,
    store,
    mcpUrlFor,
    close,
  };
}

function route(ctx: RelayContext, req: IncomingMessage, res: ServerResponse): void {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = q < 0 ? '' : raw.slice(q + 1);
  if (path.startsWith('/v1/mcp/')) {
    const parts = path.slice(8).split('/');
    if (parts.length <= 2 && parts[0]) return handleFrontDoor(ctx, req, res, parts[0], parts[1]);
  } else if (path.startsWith('/v1/tunnels/')) {
    const [id, action, extra] = path.slice(12).split('/');
    if (id && extra === undefined) {
      if (action === undefined) return handleControlPlane(ctx, req, res, id, 'metadata', query);
      if (action === 'poll' || action === 'response')
        return handleControlPlane(ctx, req, res, id, action, query);
    }
  } else if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end('ok\n');
    return;
  } else if (path === '/metrics') {
    if (guardRequest(ctx.guard!, req, res) !== 'ok')
      return sendApiError(res, 403, 'forbidden_host', 'Host or Origin not allowed.');
    ctx.metrics.text().then(
      (text) => {
        res.writeHead(200, { 'content-type': ctx.metrics.registry.contentType });
        res.end(text);
      },
      () => sendApiError(res, 500, null, 'Metrics unavailable.'),
    );
    return;
  }
  sendApiError(
    res,
    404,
    'not_found',
    'No such endpoint. MCP clients use /v1/mcp/{tunnel_id}; tunnel clients use /v1/tunnels/{tunnel_id}.',
  );
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function sum(ctx: RelayContext, read: (r: TunnelRuntime) => number): number {
  let total = 0;
  for (const runtime of ctx.runtimes.values()) total += read(runtime);
  return total;
}
