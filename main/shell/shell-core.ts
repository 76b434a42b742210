/**
 * The core the tray app runs: the same one `mcp-tunnel run` builds (tunnel-sources + daemon),
 * with one difference: every stored profile is listed (so the tray can switch each on and off),
 * and only those marked `autostart` start. With no profiles, the local demo runs. A profile that
 * cannot be resolved must not keep the app from starting: then only the `run` default set
 * (environment, autostart profiles, else the demo) is built, and the error is logged.
 */
import { startDaemon, type Daemon } from '../cli/daemon.js';
import { tunnelSources, type TunnelSources } from '../cli/tunnel-sources.js';
import { createDoctorRunner } from '../core/doctor/doctor.js';
import type { LogHub } from '../core/observability/logger.js';
import { resolveProfileDir } from '../core/profiles/profile-paths.js';
import { ProfileStore } from '../core/profiles/profile-store.js';
import type { SecretStore } from '../core/secrets/secret-store.js';

export interface ShellCoreOptions {
  hub: LogHub;
  env: NodeJS.ProcessEnv;
  keychain: SecretStore;
  /** The built admin UI, also served at the loopback admin listener's /ui. */
  uiDir?: string;
}

export interface ShellCore {
  daemon: Daemon;
  sources: TunnelSources;
  close(): Promise<void>;
}

export async function buildShellCore(options: ShellCoreOptions): Promise<ShellCore> {
  const { hub, env, keychain } = options;
  const log = hub.logger('shell');
  const store = new ProfileStore({
    dir: resolveProfileDir(undefined, { env }),
    logger: hub.logger('profiles'),
  });
  const listed = (await store.list()).filter((p) => p.profile);
  const autostart = new Set(
    listed.filter((p) => p.profile?.data.mcp_tunnel?.autostart === true).map((p) => p.name),
  );
  const base = { demo: false, flags: {}, env, store, keychain, logger: hub.logger() };

  let sources: TunnelSources;
  if (listed.length === 0) {
    sources = await tunnelSources({ ...base, profiles: [] });
  } else {
    try {
      const all = await tunnelSources({ ...base, profiles: listed.map((p) => p.name) });
      sources = { ...all, specs: all.specs.map((s) => ({ ...s, enabled: autostart.has(s.id) })) };
    } catch (err) {
      log.error('could not load every profile; starting the autostart set only', { error: err as Error });
      sources = await tunnelSources({ ...base, profiles: [] });
    }
  }

  let daemon: Daemon;
  try {
    daemon = await startDaemon({
      hub,
      specs: sources.specs,
      listen: env.HEALTH_LISTEN_ADDR ?? '127.0.0.1:0',
      doctor: createDoctorRunner({ store, env, keychain, logger: hub.logger('doctor'), poll: false }),
      ...(options.uiDir ? { uiDir: options.uiDir } : {}),
    });
  } catch (err) {
    await sources.close();
    throw err;
  }
  return {
    daemon,
    sources,
    /** Stops every tunnel (and so every stdio child), the admin listener and the demo relay. */
    async close() {
      await daemon.close();
      await sources.close();
    },
  };
}
