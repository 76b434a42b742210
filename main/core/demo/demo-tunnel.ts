/**
 * The out-of-the-box setup: an embedded relay on loopback, the demo MCP server over stdio, and
 * a tunnel between them. Works offline, needs no account.
 */
import { ENGINE_DEFAULTS, type TunnelConfig } from '../engine/config.js';
import { startEmbeddedRelay, type EmbeddedRelay } from '../relay/embedded.js';
import type { Logger } from '../observability/logger.js';
import { demoServerArgv } from './demo-entry.js';

export interface DemoSetup {
  relay: EmbeddedRelay;
  config: TunnelConfig;
}

export async function startDemoRelay(logger: Logger): Promise<DemoSetup> {
  const relay = await startEmbeddedRelay({ logger: logger.child('relay'), tunnelName: 'MCP Tunnel demo' });
  const config: TunnelConfig = {
    name: 'demo',
    controlPlane: {
      baseUrl: relay.controlPlaneUrl,
      tunnelId: relay.tunnelId,
      apiKey: relay.runtimeKey,
      maxInflight: ENGINE_DEFAULTS.maxInflight,
      pollTimeoutMs: ENGINE_DEFAULTS.pollTimeoutMs,
    },
    channels: [{ name: 'main', kind: 'stdio', argv: demoServerArgv() }],
    maxConcurrent: ENGINE_DEFAULTS.maxConcurrent,
    connectionMaxTtlMs: ENGINE_DEFAULTS.connectionMaxTtlMs,
  };
  return { relay, config };
}
