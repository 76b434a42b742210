/**
 * The running daemon: the tunnel manager with its metrics, request log, support bundle and
 * admin listener around it. `mcp-tunnel run` builds one; the tray app builds the same core.
 */
import type { BundleResult } from '../../preload/contract/dto.js';
import { startAdminHttpServer, type AdminHttpServer } from '../core/admin/admin-http-server.js';
import { createCodexAdmin } from '../core/admin/admin-integrations.js';
import { createProbeAdmin } from '../core/admin/admin-probes.js';
import { createProfileAdmin, summaryOf } from '../core/admin/admin-profiles.js';
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
import type { ProfileStore } from '../core/profiles/profile-store.js';
import type { SecretStore } from '../core/secrets/secret-store.js';

/** What the admin UI's wizard and integrations need; without it those methods answer `unavailable`. */
export interface DaemonProfileOptions {
  store: ProfileStore;
  /** Where typed secrets go (the OS keychain). */
  secrets: SecretStore;
  /** The daemon's environment (probes' PATH, CODEX_HOME for Add to Codex). */
  env: NodeJS.ProcessEnv;
  /** A stored profile as a tunnel spec (tunnel-sources.ts). */
  profileSpec(name: string): Promise<ManagedTunnelSpec>;
  /** The codex executable for Verify (default `codex` on PATH). */
  codexBin?: string;
}

export interface DaemonOptions {
  hub: LogHub;
  specs: ManagedTunnelSpec[];
  listen: string;
  allowRemote?: boolean;
  uiDir?: string;
  doctor?: (profile?: string) => Promise<DoctorReport>;
  profiles?: DaemonProfileOptions;
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
    ...(options.profiles ? profileDeps(manager, hub, options.profiles) : {}),
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

function profileDeps(manager: TunnelManager, hub: LogHub, p: DaemonProfileOptions) {
  const forgetProfile = async (name: string): Promise<void> => {
    if (manager.has(name)) await manager.remove(name);
  };
  return {
    profiles: async () => (await p.store.list()).flatMap((e) => (e.profile ? [summaryOf(e.profile)] : [])),
    profileAdmin: createProfileAdmin({
      store: p.store,
      secrets: p.secrets,
      forgetProfile,
      startProfile: async (name) => {
        // A profile saved again replaces its running tunnel.
        const spec = await p.profileSpec(name);
        await forgetProfile(name);
        manager.add(spec);
        await manager.start(name);
      },
    }),
    probes: createProbeAdmin({ env: p.env, logger: hub.logger('probe') }),
    codex: createCodexAdmin({ manager, env: p.env, ...(p.codexBin ? { codexBin: p.codexBin } : {}) }),
  };
}
