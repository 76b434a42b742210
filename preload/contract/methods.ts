/**
 * THE admin API between the UI and the engine: every method with its parameters and result.
 * The engine implements it (main/core/admin); the shell exposes it over IPC, the daemon over
 * loopback HTTP (`POST /api/<method>`); the renderer's bridge calls it without knowing which.
 */
import type {
  BundleResult,
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
  'logs.tail': { params: { afterSeq?: number; limit?: number }; result: { entries: LogEntryDto[]; lastSeq: number } };
  'logs.getLevel': { params: Record<string, never>; result: { level: LogLevel } };
  'logs.setLevel': { params: { level: LogLevel }; result: { level: LogLevel } };
  'requests.list': { params: { afterSeq?: number; limit?: number }; result: { records: RequestRecordDto[] } };
  'metrics.snapshot': { params: Record<string, never>; result: MetricsSnapshot };
  'bundle.create': { params: { windowMinutes?: number }; result: BundleResult };
  'doctor.run': { params: { profile?: string }; result: DoctorReport };
  'profiles.list': { params: Record<string, never>; result: { profiles: ProfileSummary[] } };
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
] as const satisfies readonly ContractMethod[];

/** Server-pushed events: status as "snapshot, then deltas"; live log and request tails. */
export interface ContractEvents {
  'status.tunnel': { rev: number; tunnel: TunnelSummary };
  'logs.entry': LogEntryDto;
  'requests.record': RequestRecordDto;
}

export type ContractEvent = keyof ContractEvents;

export const CONTRACT_EVENTS = ['status.tunnel', 'logs.entry', 'requests.record'] as const satisfies readonly ContractEvent[];

/** What the renderer's bridge offers (implemented over IPC by the preload, over HTTP by renderer/bridge). */
export interface AdminApi {
  call<M extends ContractMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  on<E extends ContractEvent>(event: E, listener: (payload: ContractEvents[E]) => void): () => void;
}
