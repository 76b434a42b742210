/**
 * Composition of one running tunnel from its resolved configuration: the channels, the
 * control-plane client (one keep-alive dispatcher) and the tunnel state machine around them.
 */
import type { Channel } from './channels/channel.js';
import { createHttpChannel } from './channels/http/http-channel.js';
import { createStdioChannel } from './channels/stdio/stdio-channel.js';
import type { ChannelConfig, TunnelConfig } from './config.js';
import {
  createControlPlaneClient,
  type ControlPlaneClientOptions,
  type HttpControlPlaneClient,
} from './control-plane/http-client.js';
import type { CommandRecord } from './dispatcher/types.js';
import { buildServerInfo } from './protocol/server-info.js';
import { createTunnel, type Tunnel } from './tunnel.js';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../runtime/clock.js';
import { PRODUCT_VERSION } from '../runtime/product.js';

export interface BuildTunnelOptions {
  config: TunnelConfig;
  logger: Logger;
  clock?: Clock;
  /** Requests page and metrics: one record per finished command (no payloads). */
  onRecord?: (record: CommandRecord) => void;
  /** Extra channels built by the caller (e.g. an in-memory server), added after the configured ones. */
  extraChannels?: Channel[];
}

export interface BuiltTunnel {
  tunnel: Tunnel;
  channels: Channel[];
  instanceId: string;
}

export function buildChannel(config: ChannelConfig, logger: Logger, clock?: Clock): Channel {
  const log = logger.child(`channel/${config.name}`);
  if (config.kind === 'stdio') {
    return createStdioChannel({
      name: config.name,
      argv: config.argv,
      ...(config.env ? { env: config.env } : {}),
      ...(config.cwd ? { cwd: config.cwd } : {}),
      logger: log,
      ...(clock ? { clock } : {}),
    });
  }
  return createHttpChannel({
    name: config.name,
    url: config.url,
    ...(config.extraHeaders ? { extraHeaders: config.extraHeaders } : {}),
    ...(config.proxyUrl ? { proxyUrl: config.proxyUrl } : {}),
    ...(config.caBundlePem ? { caBundlePem: config.caBundlePem } : {}),
    ...(config.clientCertPem ? { clientCertPem: config.clientCertPem } : {}),
    ...(config.clientKeyPem ? { clientKeyPem: config.clientKeyPem } : {}),
    logger: log,
    ...(clock ? { clock } : {}),
  });
}

/**
 * The control-plane client for a tunnel configuration: one keep-alive dispatcher, the identity
 * headers, and X-Tunnel-MCP-Server-Info declaring `channels`.
 */
export function controlPlaneClientFor(
  config: TunnelConfig,
  channels: ReadonlyArray<{ name: string; procAffinity: boolean }>,
  extra: Partial<ControlPlaneClientOptions> & { logger: Logger },
): HttpControlPlaneClient {
  const cp = config.controlPlane;
  return createControlPlaneClient({
    tunnelId: cp.tunnelId,
    apiKey: cp.apiKey,
    ...(cp.baseUrl ? { baseUrl: cp.baseUrl } : {}),
    ...(cp.pathPrefix ? { pathPrefix: cp.pathPrefix } : {}),
    ...(cp.clientCertPem ? { clientCertPem: cp.clientCertPem } : {}),
    ...(cp.clientKeyPem ? { clientKeyPem: cp.clientKeyPem } : {}),
    ...(cp.caBundlePem ? { caBundlePem: cp.caBundlePem } : {}),
    ...(cp.proxyUrl ? { proxyUrl: cp.proxyUrl } : {}),
    clientVersion: PRODUCT_VERSION,
    serverInfo: buildServerInfo(channels.map((c) => ({ name: c.name, procAffinity: c.procAffinity }))),
    ...extra,
  });
}

export function buildTunnel(options: BuildTunnelOptions): BuiltTunnel {
  const { config, logger, clock } = options;
  const log = logger.child(`tunnel/${config.name}`);
  const channels = [
    ...config.channels.map((c) => buildChannel(c, log, clock)),
    ...(options.extraChannels ?? []),
  ];
  const cp = config.controlPlane;
  const client = controlPlaneClientFor(config, channels, {
    logger: log.child('control-plane'),
    ...(clock ? { clock } : {}),
  });
  const tunnel = createTunnel({
    id: config.name,
    client,
    channels,
    dispatcher: {
      maxInflight: cp.maxInflight,
      maxConcurrent: config.maxConcurrent,
      connectionMaxTtlMs: config.connectionMaxTtlMs,
      ...(options.onRecord ? { onRecord: options.onRecord } : {}),
    },
    pollTimeoutMs: cp.pollTimeoutMs,
    logger: log,
    ...(clock ? { clock } : {}),
  });
  return { tunnel, channels, instanceId: client.instanceId };
}
