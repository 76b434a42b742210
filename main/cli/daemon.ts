/**
 * The running daemon: the tunnel manager with its metrics, request log, support bundle and
 * admin listener around it. `mcp-tunnel run` builds one; the tray app builds the same core.
 */
import type { BundleResult } from '../../preload/contract/dto.js';
import { startAdminHttpServer, type AdminHttpServer } from '../core/admin/admin-http-server.js';
import { AdminService } from '../core/admin/admin-service.js';
import type { ManagedTunnelSpec } from '../core/admin/managed-tunnel.js';
import { RequestLog } from '../core/admin/request-log.js';
import { TunnelManager } from '../core/admin/tunnel-manager.js';
import type { LogHub } from '../core/observability/logger.js';
import { createEngineMetrics, type EngineMetrics } from '../core/observability/metrics.js';
import { redactedConfig } from '../core/observability/redacted-config.js';
import { createSupportBundle, toBundleResult } from '../core/observability/support-bundle.js';
import { PRODUCT_VERSION } from '../core/runtime/product.js';
import type { DoctorReport } from '../../preload/contract/dto.js';

export interface DaemonOptions {
  hub: LogHub;
  specs: ManagedTunnelSpec[];
  listen: string;
  allowRemote?: boolean;
  uiDir?: string;
  doctor?: (profile?: string) => Promise<DoctorReport>;
}

export interface Daemon {
  manager: TunnelManager;
  metrics: EngineMetrics;
  admin: AdminHttpServer;
  service: AdminService;
  close(): Promise<void>;
}

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { hub } = options;
  const manager = new TunnelManager({ logger: hub.logger() });
  for (const spec of options.specs) manager.add(spec);
  const metrics = createEngineMetrics({
    source: {
      tunnels: () =>
        manager.ids().flatMap((id) => {
          const t = manager.get(id);
          return t.status && t.tunnel ? [{ id, status: t.status, instance: t.tunnel }] : [];
        }),
    },
    logger: hub.logger('metrics'),
  });
  manager.onRecord((id, record) => metrics.recordCommand(id, record));
  const requests = new RequestLog();

  const bundle = async (windowMinutes: number): Promise<BundleResult> => {
    const configs = manager.ids().flatMap((id) => {
      const config = manager.get(id).config;
      return config ? [{ name: id, config: redactedConfig(config) }] : [];
    });
    const made = await createSupportBundle({
      now: Date.now(),
      windowMinutes,
      logs: hub.entries(),
      metricsText: await metrics.text(),
      status: { version: PRODUCT_VERSION, tunnels: manager.summaries(), readiness: manager.readiness() },
      configs,
      version: PRODUCT_VERSION,
    });
    return toBundleResult(made);
  };

  const service = new AdminService({
    manager,
    logs: hub,
    requests,
    version: PRODUCT_VERSION,
    metrics,
    bundle,
    ...(options.doctor ? { doctor: options.doctor } : {}),
  });
  let admin: AdminHttpServer;
  try {
    admin = await startAdminHttpServer({
      service,
      readiness: () => manager.readiness(),
      metricsText: async () => ({ contentType: metrics.contentType, text: await metrics.text() }),
      logger: hub.logger(),
      listen: options.listen,
      ...(options.allowRemote ? { allowRemote: true } : {}),
      ...(options.uiDir ? { uiDir: options.uiDir } : {}),
    });
  } catch (err) {
    metrics.close();
    throw err;
  }
  return {
    manager,
    metrics,
    admin,
    service,
    async close() {
      await manager.stopAll();
      await admin.close();
      metrics.close();
    },
  };
}
