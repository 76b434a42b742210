/**
 * Data shapes exchanged between the admin UI and the engine. Plain JSON only (no Dates, no
 * class instances), so the same values cross Electron IPC and loopback HTTP unchanged.
 * This folder imports nothing outside itself.
 */

export type TunnelStateKind =
  'stopped' | 'starting' | 'ready' | 'degraded' | 'auth_failed' | 'error' | 'stopping';
export type ConnectionKind = 'openai' | 'relay' | 'demo';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface ChannelSummary {
  name: string;
  transport: 'stdio' | 'streamable-http' | 'in-memory';
  state: 'idle' | 'starting' | 'ready' | 'restarting' | 'failed' | 'stopped';
  /** The command line (stdio) or the URL without credentials or query (HTTP). */
  target: string;
  pid?: number;
  restarts: number;
  inFlight: number;
  sessions: number;
  lastError?: string;
  /** Result of the last end-to-end MCP probe through this channel, if one ran. */
  probe?: { ok: boolean; at: number; message: string };
}

export interface TunnelSummary {
  /** The profile name (`demo` for the built-in demo). */
  id: string;
  displayName: string;
  connection: ConnectionKind;
  /** Whether the tunnel should be running (the on/off switch). */
  enabled: boolean;
  state: { kind: TunnelStateKind; reason: string; nextStep: string; since: number };
  tunnelId: string;
  /** Where MCP clients connect, when the front door is ours (demo, self-hosted relay) or known. */
  mcpUrl?: string;
  /** A connector token exists and can be revealed with `tunnels.revealToken`. */
  hasConnectorToken: boolean;
  lastSuccessfulPollAt?: number;
  commandsTotal: number;
  inflight: number;
  queued: number;
  running: number;
  errorsByKind: Record<string, number>;
  channels: ChannelSummary[];
}

export interface StatusSnapshot {
  version: string;
  /** Monotonic counter: events with a lower `rev` are older than this snapshot. */
  rev: number;
  tunnels: TunnelSummary[];
}

export interface LogEntryDto {
  seq: number;
  time: number;
  level: LogLevel;
  msg: string;
  scope?: string;
  fields?: Record<string, unknown>;
}

/** One finished command, for the Requests page. Never carries payload bodies. */
export interface RequestRecordDto {
  seq: number;
  tunnel: string;
  requestId: string;
  channel: string;
  commandType: string;
  method?: string;
  toolName?: string;
  startedAt: number;
  queueMs: number;
  mcpMs: number;
  postMs: number;
  status?: number;
  outcome: string;
  failureSource?: string;
  requestBytes: number;
  responseBytes: number;
  /** Redacted request headers. */
  headers: Record<string, string[] | string>;
}

export interface MetricsPoint {
  /** Wall-clock ms at the end of the interval. */
  t: number;
  requests: number;
  errors: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  inflight: number;
  running: number;
}

export interface MetricsSnapshot {
  intervalMs: number;
  points: MetricsPoint[];
  errorsByKind: Record<string, number>;
}

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface DoctorCheck {
  id: string;
  status: CheckStatus;
  summary: string;
  why?: string;
  evidence?: string;
  nextStep?: string;
}

export interface DoctorReport {
  profile: string;
  ok: boolean;
  checks: DoctorCheck[];
}

export interface BundleFileInfo {
  name: string;
  bytes: number;
  description: string;
}

export interface BundleResult {
  fileName: string;
  /** The archive, base64-encoded (the HTTP bridge downloads it; the shell offers a save dialog). */
  base64: string;
  files: BundleFileInfo[];
}

export interface ProfileSummary {
  name: string;
  displayName?: string;
  connection: ConnectionKind;
  tunnelId?: string;
  channels: Array<{ name: string; kind: 'stdio' | 'http'; target: string }>;
  autostart: boolean;
}

export interface ValidationIssue {
  /** Dotted path of the field, e.g. `control_plane.tunnel_id`. */
  path: string;
  message: string;
}

/** One MCP server of a profile draft (the wizard's "MCP server" and "advanced" steps). */
export type ChannelDraft =
  | { name: string; kind: 'stdio'; command: string; env?: Record<string, string>; cwd?: string }
  | { name: string; kind: 'http'; url: string; headers?: Record<string, string> };

/** A profile as the wizard edits it. Never holds a secret value: keys are references. */
export interface ProfileDraft {
  name: string;
  displayName?: string;
  connection: ConnectionKind;
  tunnelId?: string;
  /** The relay's URL (relay), or another control plane URL (openai). */
  baseUrl?: string;
  /** `env:NAME`, `file:/path` or `keychain:NAME`; set by `profiles.save` when a key is given. */
  apiKeyRef?: string;
  channels: ChannelDraft[];
  autostart: boolean;
  advanced?: {
    proxyUrl?: string;
    caBundlePath?: string;
    clientCertPath?: string;
    /** `keychain:NAME` (set by `profiles.save` from a PEM), `env:NAME` or `file:/path`. */
    clientKeyRef?: string;
  };
}

/** Secret values that `profiles.save` stores in the OS keychain; never returned again. */
export interface ProfileSecrets {
  apiKey?: string;
  clientKeyPem?: string;
}

export interface CommandProbeResult {
  ok: boolean;
  message: string;
  resolvedPath?: string;
}

export interface UrlProbeResult {
  ok: boolean;
  message: string;
  serverName?: string;
  protocolVersion?: string;
}

export type CodexTokenModeDto = 'header' | 'env';

export type CodexEntryRequest = {
  /** The tunnel (profile) id from `status.get`. */
  tunnelId: string;
  tokenMode: CodexTokenModeDto;
  /** Codex server name (letters, digits, - and _); default `mcp-tunnel-<id>`. */
  name?: string;
};

export interface CodexPreview {
  configPath: string;
  name: string;
  /** The `[mcp_servers.NAME]` table as it will be written, token masked. */
  entryToml: string;
  notes: string[];
  /** An entry of that name exists and will be replaced. */
  replaces: boolean;
}

export interface CodexVerifyResult {
  ok: boolean;
  code: string;
  message: string;
}
