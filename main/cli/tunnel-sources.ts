/**
 * Decides which tunnels `mcp-tunnel run` manages, and turns each into a ManagedTunnelSpec:
 *   --demo                      the embedded relay + demo MCP server
 *   --profile NAME (repeatable) those profiles (connection: demo profiles use the embedded relay)
 *   otherwise, environment / flags that configure a tunnel (the reference client's way)
 *   otherwise, every profile marked autostart
 *   otherwise, the demo
 */
import type { ManagedTunnelSpec } from '../core/admin/managed-tunnel.js';
import type { DemoSetup } from '../core/demo/demo-tunnel.js';
import { demoServerArgv } from '../core/demo/demo-entry.js';
import type { TunnelConfig } from '../core/engine/config.js';
import type { Logger } from '../core/observability/logger.js';
import { environmentConfiguresTunnel } from '../core/profiles/env-config.js';
import type { ProfileFlagValues } from '../core/profiles/profile-flags.js';
import { resolveProfile, type ResolvedProfile } from '../core/profiles/resolve-profile.js';
import type { ProfileStore } from '../core/profiles/profile-store.js';
import type { SecretReader } from '../core/secrets/secret-ref.js';

export interface TunnelSources {
  specs: ManagedTunnelSpec[];
  /** Set when the embedded relay runs (demo); its MCP URL and token are printed. */
  demo?: DemoSetup;
  /** Health listen address and log settings from the first profile, when not given as flags. */
  first?: ResolvedProfile;
  mode: 'demo' | 'profiles' | 'environment' | 'autostart';
  /**
   * A stored profile as a spec, for a profile saved while running (the admin UI's wizard). A
   * demo-connection profile gets a tunnel on the embedded relay, which starts if it is not running.
   */
  profileSpec(name: string): Promise<ManagedTunnelSpec>;
  close(): Promise<void>;
}

export interface SourceOptions {
  demo: boolean;
  profiles: string[];
  flags: ProfileFlagValues;
  env: NodeJS.ProcessEnv;
  store: ProfileStore;
  keychain?: SecretReader;
  logger: Logger;
}

export async function tunnelSources(options: SourceOptions): Promise<TunnelSources> {
  const { env, flags, store, keychain, logger } = options;
  let demo: DemoSetup | undefined;
  const close = async (): Promise<void> => {
    await demo?.relay.close();
  };
  // The embedded relay is loaded only when a demo needs it.
  const ensureDemo = async (): Promise<DemoSetup> =>
    (demo ??= await (await import('../core/demo/demo-tunnel.js')).startDemoRelay(logger));
  // One stored profile as a spec; a demo-connection profile gets its own tunnel on the embedded relay.
  const profileSpec = async (
    name: string,
  ): Promise<{ spec: ManagedTunnelSpec; resolved: ResolvedProfile }> => {
    const loaded = await store.load(name);
    const relay = loaded.data.mcp_tunnel?.connection === 'demo' ? await ensureDemo() : undefined;
    const demoTunnel = relay
      ? await relay.relay.relay.tunnels.create(`demo profile ${loaded.name}`)
      : undefined;
    const demoCp =
      relay && demoTunnel
        ? {
            baseUrl: relay.relay.controlPlaneUrl,
            tunnelId: demoTunnel.tunnelId,
            apiKey: demoTunnel.runtimeKey,
          }
        : undefined;
    const resolveOnce = async (): Promise<ResolvedProfile> => {
      const r = await resolveProfile({
        profile: await store.load(name),
        env,
        flags,
        ...(keychain ? { keychain } : {}),
        ...(demoCp ? { demo: demoCp } : {}),
      });
      return withDemoServer(r);
    };
    const resolved = await resolveOnce();
    return {
      resolved,
      spec: {
        ...spec(resolved, async () => (await resolveOnce()).tunnel),
        ...(demoTunnel ? { mcpUrl: demoTunnel.mcpUrl, connectorToken: demoTunnel.connectorToken } : {}),
      },
    };
  };
  const withProfiles = (sources: Omit<TunnelSources, 'profileSpec'>): TunnelSources => ({
    ...sources,
    profileSpec: async (name) => (await profileSpec(name)).spec,
  });
  try {
    if (options.demo) return withProfiles(demoSources(await ensureDemo(), close));

    let names = options.profiles;
    let mode: TunnelSources['mode'] = 'profiles';
    if (names.length === 0) {
      const flagsConfigure =
        typeof flags['control-plane.tunnel-id'] === 'string' ||
        typeof flags['control-plane-tunnel-id'] === 'string';
      if (environmentConfiguresTunnel(env) || flagsConfigure) {
        const resolved = await resolveProfile({ env, flags, ...(keychain ? { keychain } : {}) });
        return withProfiles({
          specs: [
            spec({ ...resolved, name: 'env' }, () =>
              resolveProfile({ env, flags, ...(keychain ? { keychain } : {}) }).then((r) => r.tunnel),
            ),
          ],
          first: resolved,
          mode: 'environment',
          close,
        });
      }
      names = (await store.list())
        .filter((p) => p.profile?.data.mcp_tunnel?.autostart === true)
        .map((p) => p.name);
      mode = 'autostart';
      if (names.length === 0) {
        logger.info('nothing is configured: starting the local demo (use --demo to say so explicitly)');
        return withProfiles(demoSources(await ensureDemo(), close));
      }
    }

    const specs: ManagedTunnelSpec[] = [];
    let first: ResolvedProfile | undefined;
    for (const name of names) {
      const made = await profileSpec(name);
      first ??= made.resolved;
      specs.push(made.spec);
    }
    return {
      specs,
      ...(demo ? { demo } : {}),
      ...(first ? { first } : {}),
      mode,
      close,
      profileSpec: async (name) => (await profileSpec(name)).spec,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

function demoSources(setup: DemoSetup, close: () => Promise<void>): Omit<TunnelSources, 'profileSpec'> {
  return {
    specs: [
      {
        id: 'demo',
        displayName: 'Demo',
        connection: 'demo',
        enabled: true,
        load: async () => setup.config,
        mcpUrl: setup.relay.mcpUrl,
        connectorToken: setup.relay.connectorToken,
      },
    ],
    demo: setup,
    mode: 'demo',
    close,
  };
}

function spec(resolved: ResolvedProfile, load: () => Promise<TunnelConfig>): ManagedTunnelSpec {
  return {
    id: resolved.name,
    displayName: resolved.meta.displayName ?? resolved.name,
    connection: resolved.meta.connection,
    enabled: true,
    load,
  };
}

/** A `connection: demo` profile without channels serves the bundled demo MCP server. */
function withDemoServer(r: ResolvedProfile): ResolvedProfile {
  if (r.meta.connection !== 'demo' || r.tunnel.channels.length > 0) return r;
  return {
    ...r,
    tunnel: { ...r.tunnel, channels: [{ name: 'main', kind: 'stdio', argv: demoServerArgv() }] },
  };
}
