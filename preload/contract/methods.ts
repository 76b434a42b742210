/**
 * THE admin API between the UI and the engine: every method with its parameters and result.
 * The engine implements it (main/core/admin); the shell exposes it over IPC, the daemon over
 * loopback HTTP (`POST /api/<method>`); the renderer's bridge calls it without knowing which.
 */
import type {
  BundleResult,
  CodexEntryRequest,
  CodexPreview,
  CodexVerifyResult,
  CommandProbeResult,
  ProfileDraft,
  ProfileSecrets,
  UrlProbeResult,
  ValidationIssue,
  DoctorReport,
  LogEntryDto,
  LogLevel,
  MetricsSnapshot,
  ProfileSummary,
  RequestRecordDto,
  StatusSnapshot,
  TunnelSummary,
} from './dto.js';

export interface ContractMethods {
  'status.get': { params: Record<string, never>; result: StatusSnapshot };
  'tunnels.start': { params: { id: string }; result: TunnelSummary };
  'tunnels.stop': { params: { id: string }; result: TunnelSummary };
  'tunnels.revealToken': { params: { id: string }; result: { connectorToken: string } };
  'logs.tail': {
    params: { afterSeq?: number; limit?: number };
    result: { entries: LogEntryDto[]; lastSeq: number };
  };
  'logs.getLevel': { params: Record<string, never>; result: { level: LogLevel } };
  'logs.setLevel': { params: { level: LogLevel }; result: { level: LogLevel } };
  'requests.list': { params: { afterSeq?: number; limit?: number }; result: { records: RequestRecordDto[] } };
  'metrics.snapshot': { params: Record<string, never>; result: MetricsSnapshot };
  'bundle.create': { params: { windowMinutes?: number }; result: BundleResult };
  'doctor.run': { params: { profile?: string }; result: DoctorReport };
  'profiles.list': { params: Record<string, never>; result: { profiles: ProfileSummary[] } };
  'profiles.validate': { params: { draft: ProfileDraft }; result: { issues: ValidationIssue[] } };
  /** Writes the profile (secrets into the OS keychain, as `keychain:` references); `start` runs it. */
  'profiles.save': {
    params: { draft: ProfileDraft; secrets?: ProfileSecrets; start?: boolean; replace?: boolean };
    result: ProfileSummary;
  };
  'profiles.remove': { params: { name: string }; result: { removed: boolean } };
  'profiles.get': { params: { name: string }; result: ProfileDraft };
  /** Finds the executable of a command line on PATH; never runs it. */
  'probe.command': { params: { command: string; cwd?: string }; result: CommandProbeResult };
  /** A live MCP `initialize` against a Streamable HTTP URL (session ended right after). */
  'probe.url': { params: { url: string; headers?: Record<string, string> }; result: UrlProbeResult };
  'integrations.codex.preview': { params: CodexEntryRequest; result: CodexPreview };
  'integrations.codex.add': { params: CodexEntryRequest; result: { configPath: string; changed: boolean } };
  'integrations.codex.remove': { params: { name: string }; result: { removed: boolean } };
  'integrations.codex.verify': { params: { name: string }; result: CodexVerifyResult };
}

export type ContractMethod = keyof ContractMethods;
export type ParamsOf<M extends ContractMethod> = ContractMethods[M]['params'];
export type ResultOf<M extends ContractMethod> = ContractMethods[M]['result'];

/** Every method name, for routers and the test that proves each has a handler and a bridge entry. */
export const CONTRACT_METHODS = [
  'status.get',
  'tunnels.start',
  'tunnels.stop',
  'tunnels.revealToken',
  'logs.tail',
  'logs.getLevel',
  'logs.setLevel',
  'requests.list',
  'metrics.snapshot',
  'bundle.create',
  'doctor.run',
  'profiles.list',
  'profiles.validate',
  'profiles.save',
  'profiles.remove',
  'profiles.get',
  'probe.command',
  'probe.url',
  'integrations.codex.preview',
  'integrations.codex.add',
  'integrations.codex.remove',
  'integrations.codex.verify',
] as const satisfies readonly ContractMethod[];

/** Server-pushed events: status as "snapshot, then deltas"; live log and request tails. */
export interface ContractEvents {
  'status.tunnel': { rev: number; tunnel: TunnelSummary };
  /** A tunnel was removed (its profile deleted): drop it from the list. */
  'status.removed': { rev: number; id: string };
  'logs.entry': LogEntryDto;
  'requests.record': RequestRecordDto;
}

export type ContractEvent = keyof ContractEvents;

export const CONTRACT_EVENTS = [
  'status.tunnel',
  'status.removed',
  'logs.entry',
  'requests.record',
] as const satisfies readonly ContractEvent[];

/** What the renderer's bridge offers (implemented over IPC by the preload, over HTTP by renderer/bridge). */
export interface AdminApi {
  call<M extends ContractMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  on<E extends ContractEvent>(event: E, listener: (payload: ContractEvents[E]) => void): () => void;
}
