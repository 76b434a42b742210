/**
 * The admin service: implements preload/contract for both transports (Electron IPC in the
 * shell, loopback HTTP in the daemon). Every call is validated here, whatever carried it.
 */
import type {
  BundleResult,
  ContractError,
  ContractEvent,
  ContractEvents,
  ContractMethod,
  ContractMethods,
  ContractResult,
  DoctorReport,
  MetricsSnapshot,
  ProfileSummary,
} from '../../../preload/contract/index.js';
import { CONTRACT_METHODS } from '../../../preload/contract/methods.js';
import { isLogLevel, type LogHub } from '../observability/logger.js';
import type { CodexAdmin } from './admin-integrations.js';
import type { ProbeAdmin } from './admin-probes.js';
import type { ProfileAdmin } from './admin-profiles.js';
import type { RequestLog } from './request-log.js';
import { AdminError, type TunnelManager } from './tunnel-manager.js';

export interface AdminServiceDeps {
  manager: TunnelManager;
  logs: LogHub;
  requests: RequestLog;
  version: string;
  metrics?: { snapshot(): MetricsSnapshot };
  bundle?: (windowMinutes: number) => Promise<BundleResult>;
  doctor?: (profile?: string) => Promise<DoctorReport>;
  profiles?: () => Promise<ProfileSummary[]>;
  /** The wizard's profile methods (profiles.validate/save/remove/get). */
  profileAdmin?: ProfileAdmin;
  /** probe.command / probe.url. */
  probes?: ProbeAdmin;
  /** integrations.codex.*. */
  codex?: CodexAdmin;
}

type Handlers = {
  [M in ContractMethod]: (params: ContractMethods[M]['params']) => Promise<ContractMethods[M]['result']>;
};
type EventListener = <E extends ContractEvent>(event: E, payload: ContractEvents[E]) => void;

export class ContractFailure extends Error {
  constructor(readonly error: ContractError) {
    super(error.message);
  }
}

function fail(code: ContractError['code'], message: string): never {
  throw new ContractFailure({ code, message });
}

function requireString(params: Record<string, unknown>, key: string): string {
  const v = params[key];
  if (typeof v !== 'string' || v === '') fail('bad_request', `'${key}' must be a non-empty string.`);
  return v;
}

function optionalNumber(
  params: Record<string, unknown>,
  key: string,
  min: number,
  max: number,
): number | undefined {
  const v = params[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    fail('bad_request', `'${key}' must be a number from ${min} to ${max}.`);
  return v;
}

export class AdminService {
  readonly #handlers: Handlers;
  readonly #listeners = new Set<EventListener>();

  constructor(private readonly deps: AdminServiceDeps) {
    const { manager, logs, requests } = deps;
    const profileAdmin = (): ProfileAdmin =>
      deps.profileAdmin ??
      fail('unavailable', 'Profiles cannot be edited in this process; use `mcp-tunnel profiles`.');
    const probes = (): ProbeAdmin =>
      deps.probes ?? fail('unavailable', 'Probes are not available in this process.');
    const codex = (): CodexAdmin =>
      deps.codex ??
      fail('unavailable', 'Add to Codex is not available in this process; use `mcp-tunnel codex`.');
    manager.onChange((tunnel, rev) => this.#emit('status.tunnel', { rev, tunnel }));
    manager.onRemove((id, rev) => this.#emit('status.removed', { rev, id }));
    manager.onRecord((id, record) => requests.add(id, record));
    requests.subscribe((record) => this.#emit('requests.record', record));
    logs.addSink((entry) => this.#emit('logs.entry', entry));

    this.#handlers = {
      'status.get': async () => ({ version: deps.version, rev: manager.rev, tunnels: manager.summaries() }),
      'tunnels.start': async (p) => manager.start(requireString(p, 'id')),
      'tunnels.stop': async (p) => manager.stop(requireString(p, 'id')),
      'tunnels.revealToken': async (p) => {
        const token = manager.get(requireString(p, 'id')).spec.connectorToken;
        if (!token)
          fail(
            'not_found',
            'This tunnel has no connector token here: its front door is the hosted service, which uses your API key.',
          );
        return { connectorToken: token };
      },
      'logs.tail': async (p) => {
        const after = optionalNumber(p, 'afterSeq', 0, Number.MAX_SAFE_INTEGER) ?? 0;
        const limit = optionalNumber(p, 'limit', 1, 5000) ?? 500;
        const all = logs.entries(after);
        const entries = all.slice(Math.max(0, all.length - limit));
        return { entries, lastSeq: entries.at(-1)?.seq ?? after };
      },
      'logs.getLevel': async () => ({ level: logs.level }),
      'logs.setLevel': async (p) => {
        if (!isLogLevel(p.level)) fail('bad_request', "'level' must be one of debug, info, warn, error.");
        logs.setLevel(p.level);
        logs.logger('admin').info('log level changed', { level: p.level });
        return { level: logs.level };
      },
      'requests.list': async (p) => ({
        records: requests.list(
          optionalNumber(p, 'afterSeq', 0, Number.MAX_SAFE_INTEGER) ?? 0,
          optionalNumber(p, 'limit', 1, 5000) ?? 500,
        ),
      }),
      'metrics.snapshot': async () =>
        (deps.metrics ?? fail('unavailable', 'Metrics are not enabled in this process.')).snapshot(),
      'bundle.create': async (p) => {
        const make =
          deps.bundle ??
          fail('unavailable', 'Support bundles are not available in this process; run `mcp-tunnel bundle`.');
        return make(optionalNumber(p, 'windowMinutes', 1, 7 * 24 * 60) ?? 60);
      },
      'doctor.run': async (p) => {
        const run =
          deps.doctor ??
          fail('unavailable', 'Doctor is not available in this process; run `mcp-tunnel doctor`.');
        const profile = p.profile === undefined ? undefined : requireString(p, 'profile');
        return run(profile);
      },
      'profiles.list': async () => ({ profiles: deps.profiles ? await deps.profiles() : [] }),
      'profiles.validate': async (p) => profileAdmin().validate(p),
      'profiles.save': async (p) => profileAdmin().save(p),
      'profiles.remove': async (p) => profileAdmin().remove(p),
      'profiles.get': async (p) => profileAdmin().get(p),
      'probe.command': async (p) => probes().command(p),
      'probe.url': async (p) => probes().url(p),
      'integrations.codex.preview': async (p) => codex().preview(p),
      'integrations.codex.add': async (p) => codex().add(p),
      'integrations.codex.remove': async (p) => codex().remove(p),
      'integrations.codex.verify': async (p) => codex().verify(p),
    };
  }

  /** The method names this service handles (all of the contract). */
  methods(): ContractMethod[] {
    return Object.keys(this.#handlers) as ContractMethod[];
  }

  async invoke(method: string, params: unknown): Promise<ContractResult<unknown>> {
    if (!(CONTRACT_METHODS as readonly string[]).includes(method)) {
      return { ok: false, error: { code: 'not_found', message: `Unknown method '${method}'.` } };
    }
    if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) {
      return { ok: false, error: { code: 'bad_request', message: 'Parameters must be a JSON object.' } };
    }
    const handler = this.#handlers[method as ContractMethod] as (
      p: Record<string, unknown>,
    ) => Promise<unknown>;
    try {
      return { ok: true, result: await handler((params ?? {}) as Record<string, unknown>) };
    } catch (err) {
      if (err instanceof ContractFailure) return { ok: false, error: err.error };
      if (err instanceof AdminError) return { ok: false, error: { code: err.code, message: err.message } };
      this.deps.logs.logger('admin').error('admin call failed', { method, error: err as Error });
      return {
        ok: false,
        error: { code: 'internal', message: 'The call failed inside MCP Tunnel; see the logs for details.' },
      };
    }
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit<E extends ContractEvent>(event: E, payload: ContractEvents[E]): void {
    for (const l of this.#listeners) {
      try {
        l(event, payload);
      } catch {
        // one broken subscriber must not affect the others
      }
    }
  }
}
