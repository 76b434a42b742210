/**
 * The resolved configuration of one tunnel: what the engine needs to run, with every secret
 * already resolved (never written anywhere from here). Built from environment variables
 * (profiles/env-config.ts), profiles, or the demo setup.
 */

export interface StdioChannelConfig {
  name: string;
  kind: 'stdio';
  argv: string[];
  env?: Record<string, string>;
  cwd?: string;
}

export interface HttpChannelConfig {
  name: string;
  kind: 'http';
  url: string;
  /** Static headers for this server only (MCP_EXTRA_HEADERS); values may be secrets. */
  extraHeaders?: Record<string, string>;
  proxyUrl?: string;
  caBundlePem?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
}

export type ChannelConfig = StdioChannelConfig | HttpChannelConfig;

export interface ControlPlaneConfig {
  /** Absent: https://api.openai.com (or the mTLS host when a client certificate is set). */
  baseUrl?: string;
  pathPrefix?: string;
  tunnelId: string;
  apiKey: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  caBundlePem?: string;
  proxyUrl?: string;
  /** CONTROL_PLANE_MAX_INFLIGHT_REQUESTS */
  maxInflight: number;
  /** CONTROL_PLANE_POLL_TIMEOUT */
  pollTimeoutMs: number;
}

export interface TunnelConfig {
  /** Profile name (or `env` / `demo`), used in logs, status and metrics. */
  name: string;
  controlPlane: ControlPlaneConfig;
  channels: ChannelConfig[];
  /** MCP_MAX_CONCURRENT_REQUESTS */
  maxConcurrent: number;
  /** MCP_CONNECTION_MAX_TTL */
  connectionMaxTtlMs: number;
}

export const ENGINE_DEFAULTS = {
  baseUrl: 'https://api.openai.com',
  mtlsBaseUrl: 'https://mtls.api.openai.com',
  maxInflight: 20,
  pollTimeoutMs: 30_000,
  maxConcurrent: 10,
  connectionMaxTtlMs: 10 * 60_000,
} as const;
