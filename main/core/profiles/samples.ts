/**
 * Sample profiles for `mcp-tunnel init --sample NAME`. The reference client's samples
 * (sample_mcp_stdio_local, sample_mcp_http, sample_mcp_remote_no_auth, sample_mcp_with_dcr,
 * sample_mcp_enterprise_proxy) produce the same YAML shape it writes, so the files stay
 * portable; ours (sample_relay_stdio, sample_demo) add the `mcp_tunnel:` section. A sample never
 * contains a secret value: the API key is a reference (default env:CONTROL_PLANE_API_KEY).
 */
import { ConfigError } from './env-config.js';
import { ProfileError } from './profile-errors.js';
import type { ConnectionKind } from './profile-types.js';

export interface SampleRequest {
  tunnelId?: string;
  baseUrl?: string;
  urlPath?: string;
  apiKeyRef?: string;
  healthListenAddr?: string;
  mcpCommand?: string;
  mcpServerUrl?: string;
  displayName?: string;
  connection?: ConnectionKind;
  autostart?: boolean;
}

type Target = 'command' | 'url' | 'either' | 'optional';

export interface SampleDefinition {
  name: string;
  summary: string;
  target: Target;
  connection: ConnectionKind;
  /** Ours: always writes the mcp_tunnel section. */
  ours: boolean;
  enterpriseProxy?: boolean;
}

export const DEFAULT_API_KEY_REF = 'env:CONTROL_PLANE_API_KEY';
export const DEFAULT_HEALTH_LISTEN_ADDR = '127.0.0.1:8080';

export const SAMPLES: readonly SampleDefinition[] = [
  {
    name: 'sample_mcp_stdio_local',
    summary: 'Local stdio MCP server through the OpenAI control plane.',
    target: 'command',
    connection: 'openai',
    ours: false,
  },
  {
    name: 'sample_mcp_http',
    summary: 'Streamable HTTP MCP server on your network through the OpenAI control plane.',
    target: 'url',
    connection: 'openai',
    ours: false,
  },
  {
    name: 'sample_mcp_remote_no_auth',
    summary: 'Remote HTTP MCP server without OAuth metadata.',
    target: 'url',
    connection: 'openai',
    ours: false,
  },
  {
    name: 'sample_mcp_with_dcr',
    summary: 'HTTP or stdio MCP server whose OAuth/DCR metadata is served by the server itself.',
    target: 'either',
    connection: 'openai',
    ours: false,
  },
  {
    name: 'sample_mcp_enterprise_proxy',
    summary: 'HTTP or stdio MCP server behind an outbound proxy and a private CA.',
    target: 'either',
    connection: 'openai',
    ours: false,
    enterpriseProxy: true,
  },
  {
    name: 'sample_relay_stdio',
    summary: 'Local stdio MCP server through a self-hosted MCP Tunnel relay.',
    target: 'command',
    connection: 'relay',
    ours: true,
  },
  {
    name: 'sample_demo',
    summary: 'The local demo: embedded relay and the bundled demo MCP server (or your --mcp-command).',
    target: 'optional',
    connection: 'demo',
    ours: true,
  },
];

export function findSample(name: string): SampleDefinition | undefined {
  return SAMPLES.find((s) => s.name === name.trim());
}

/** The sample init picks when none is named: stdio for --mcp-command, HTTP for --mcp-server-url. */
export function defaultSampleFor(req: SampleRequest): string {
  if (req.connection === 'demo') return 'sample_demo';
  if (req.connection === 'relay') return 'sample_relay_stdio';
  return req.mcpServerUrl && !req.mcpCommand ? 'sample_mcp_http' : 'sample_mcp_stdio_local';
}

const q = (value: string): string => JSON.stringify(value);

/** Renders a sample as YAML text (comments included). Validate the result before saving. */
export function renderSample(sampleName: string, req: SampleRequest): string {
  const sample = findSample(sampleName);
  if (!sample) {
    throw new ProfileError(
      'profile_sample_unknown',
      `Unknown sample '${sampleName.slice(0, 80)}'. Samples: ${SAMPLES.map((s) => s.name).join(', ')}.`,
    );
  }
  const connection = req.connection ?? sample.connection;
  const command = req.mcpCommand?.trim();
  const url = req.mcpServerUrl?.trim();
  checkTarget(sample, command, url);
  const tunnelId = req.tunnelId?.trim();
  if (!tunnelId && connection !== 'demo') {
    throw new ConfigError(
      'tunnel_id_missing',
      `${sample.name} needs --tunnel-id tunnel_… (copy it from the tunnel settings page, or create one with \`mcp-tunnel relay tunnels create\`).`,
    );
  }
  const baseUrl = req.baseUrl?.trim() || (connection === 'openai' ? 'https://api.openai.com' : undefined);
  if (!baseUrl && connection === 'relay') {
    throw new ConfigError(
      'base_url_missing',
      `${sample.name} needs --control-plane-base-url https://relay.example.com (the URL of your relay).`,
    );
  }

  const lines = [
    `# ${sample.summary}`,
    `# Created by \`mcp-tunnel init --sample ${sample.name}\`. Secrets are references`,
    '# (env:NAME, file:/path, keychain:NAME), never values.',
  ];
  if (sample.enterpriseProxy) {
    lines.push(
      '# Runtime key: export CONTROL_PLANE_API_KEY="…"; proxy: export HTTPS_PROXY=http://proxy:8080;',
      '# private CA: export ENTERPRISE_CA_BUNDLE=/etc/ssl/certs/proxy-root.pem (or remove ca_bundle).',
    );
  }
  lines.push('config_version: 1');
  if (sample.enterpriseProxy)
    lines.push(`ca_bundle: ${q('env:ENTERPRISE_CA_BUNDLE')}`, `http_proxy: ${q('env:HTTPS_PROXY')}`);
  if (connection !== 'demo' || tunnelId || baseUrl) {
    lines.push('control_plane:');
    if (baseUrl) lines.push(`  base_url: ${q(baseUrl)}`);
    if (req.urlPath?.trim()) lines.push(`  url_path: ${q(req.urlPath.trim())}`);
    if (tunnelId) lines.push(`  tunnel_id: ${q(tunnelId)}`);
    if (connection !== 'demo') lines.push(`  api_key: ${q(req.apiKeyRef?.trim() || DEFAULT_API_KEY_REF)}`);
  }
  const listen =
    req.healthListenAddr?.trim() || (connection === 'demo' ? '127.0.0.1:0' : DEFAULT_HEALTH_LISTEN_ADDR);
  lines.push(
    'health:',
    '  # A fixed port gives a stable admin URL; 127.0.0.1:0 picks a free one at start.',
    `  listen_addr: ${q(listen)}`,
    'log:',
    '  level: info',
    '  format: json',
  );
  if (url) {
    lines.push('mcp:', '  server_urls:', '    - channel: main', `      url: ${q(url)}`);
  } else if (command) {
    lines.push('mcp:', '  commands:', '    - channel: main', `      command: ${q(command)}`);
  } else {
    lines.push('# No mcp section: the bundled demo MCP server answers on channel main.');
  }
  if (
    sample.ours ||
    req.displayName !== undefined ||
    req.autostart !== undefined ||
    req.connection !== undefined
  ) {
    lines.push('mcp_tunnel:');
    if (req.displayName !== undefined) lines.push(`  display_name: ${q(req.displayName)}`);
    lines.push(`  connection: ${connection}`, `  autostart: ${req.autostart ?? false}`);
  }
  return lines.join('\n') + '\n';
}

function checkTarget(sample: SampleDefinition, command: string | undefined, url: string | undefined): void {
  const fail = (what: string): never => {
    throw new ConfigError('mcp_target_invalid', `${sample.name} ${what}`);
  };
  if (command && url) fail('takes --mcp-command or --mcp-server-url, not both.');
  if (sample.target === 'command' && !command)
    fail('needs --mcp-command "python /path/to/server.py" (or pick sample_mcp_http for a URL).');
  if (sample.target === 'command' && url)
    fail('is for a stdio command; use sample_mcp_http for --mcp-server-url.');
  if (sample.target === 'url' && !url)
    fail('needs --mcp-server-url https://host/mcp (or pick sample_mcp_stdio_local for a command).');
  if (sample.target === 'either' && !command && !url)
    fail('needs exactly one of --mcp-command or --mcp-server-url.');
}
