/**
 * Data shapes exchanged between the admin UI and the engine. Plain JSON only (no Dates, no
 * class instances), so the same values cross Electron IPC and loopback HTTP unchanged.
 * This folder imports nothing outside itself.
 */

export type TunnelStateKind = 'stopped' | 'starting' | 'ready' | 'degraded' | 'auth_failed' | 'error' | 'stopping';
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
