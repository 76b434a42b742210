/** Starts the admin stack (manager + service + HTTP listener) around real tunnels, for tests. */
import { request } from 'undici';
import type { ContractError, ContractMethod, ResultOf } from '../../../../preload/contract/index.js';
import { startAdminHttpServer, type AdminHttpServer } from '../../../../main/core/admin/admin-http-server.js';
import { AdminService } from '../../../../main/core/admin/admin-service.js';
import type { ManagedTunnelSpec } from '../../../../main/core/admin/managed-tunnel.js';
import { RequestLog } from '../../../../main/core/admin/request-log.js';
import { TunnelManager } from '../../../../main/core/admin/tunnel-manager.js';
import { LogHub } from '../../../../main/core/observability/logger.js';

/** The JSON an API call answers, typed loosely enough to assert on both outcomes. */
export interface CallBody<R> {
  ok: boolean;
  result: R;
  error: ContractError;
}

export interface AdminStack {
  hub: LogHub;
  manager: TunnelManager;
  service: AdminService;
  admin: AdminHttpServer;
  call<M extends string>(
    method: M,
    params?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: CallBody<M extends ContractMethod ? ResultOf<M> : unknown> }>;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

export async function startAdminStack(specs: ManagedTunnelSpec[]): Promise<AdminStack> {
  const hub = new LogHub({ level: 'info' });
  const manager = new TunnelManager({ logger: hub.logger(), probeIntervalMs: 60_000 });
  for (const spec of specs) manager.add(spec);
  const service = new AdminService({ manager, logs: hub, requests: new RequestLog(), version: 'test' });
  const admin = await startAdminHttpServer({
    service,
    readiness: () => manager.readiness(),
    logger: hub.logger(),
    heartbeatMs: 200,
  });
  const host = new URL(admin.url).host;
  return {
    hub,
    manager,
    service,
    admin,
    async call(method, params, headers = {}) {
      const res = await request(`${admin.url}/api/${method}`, {
        method: 'POST',
        headers: {
          host,
          authorization: `Bearer ${admin.token}`,
          'content-type': 'application/json',
          ...headers,
        },
        body: params === undefined ? '' : JSON.stringify(params),
      });
      const text = await res.body.text();
      return { status: res.statusCode, body: (text ? JSON.parse(text) : undefined) as never };
    },
    async get(path, headers = {}) {
      const res = await request(`${admin.url}${path}`, { headers: { host, ...headers } });
      return { status: res.statusCode, text: await res.body.text() };
    },
    async close() {
      await manager.stopAll();
      await admin.close();
    },
  };
}
