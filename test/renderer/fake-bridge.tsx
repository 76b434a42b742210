/**
 * An in-memory Bridge for slice and component tests: scripted answers per method, a record of
 * every call, and `emit` / `setLive` to push events the way a transport would.
 */
import type {
  ContractEvent,
  ContractEvents,
  ContractMethod,
  ParamsOf,
  RequestRecordDto,
  ResultOf,
  TunnelSummary,
} from '../../preload/contract/index.js';
import { BridgeError, type Bridge, type LiveState } from '../../renderer/bridge/bridge.js';

type Handler<M extends ContractMethod> = (params: ParamsOf<M>) => ResultOf<M> | Promise<ResultOf<M>>;
type Handlers = { [M in ContractMethod]?: Handler<M> };

export class FakeBridge implements Bridge {
  readonly calls: Array<{ method: ContractMethod; params: unknown }> = [];
  readonly handlers: Handlers = {};
  readonly #listeners = new Map<string, Set<(payload: unknown) => void>>();
  readonly #live = new Set<(state: LiveState) => void>();

  handle<M extends ContractMethod>(method: M, handler: Handler<M>): this {
    (this.handlers as Record<string, unknown>)[method] = handler;
    return this;
  }

  async call<M extends ContractMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    this.calls.push({ method, params });
    const handler = this.handlers[method];
    if (!handler) throw new BridgeError('unavailable', `${method} is not scripted in this test.`);
    return handler(params);
  }

  on<E extends ContractEvent>(event: E, listener: (payload: ContractEvents[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    const l = listener as (payload: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }

  onLiveState(listener: (state: LiveState) => void): () => void {
    this.#live.add(listener);
    return () => this.#live.delete(listener);
  }

  emit<E extends ContractEvent>(event: E, payload: ContractEvents[E]): void {
    for (const l of this.#listeners.get(event) ?? []) l(payload);
  }

  setLive(state: LiveState): void {
    for (const l of this.#live) l(state);
  }

  listenerCount(event: ContractEvent): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  callsOf(method: ContractMethod): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.params);
  }
}

export function tunnel(overrides: Partial<TunnelSummary> = {}): TunnelSummary {
  return {
    id: 'demo',
    displayName: 'Demo',
    connection: 'demo',
    enabled: true,
    state: { kind: 'ready', reason: 'polling the control plane', nextStep: 'Nothing to do.', since: 1_000 },
    tunnelId: 'tunnel_0123456789abcdef0123456789abcdef',
    mcpUrl: 'http://127.0.0.1:9/v1/mcp/tunnel_0123456789abcdef0123456789abcdef',
    hasConnectorToken: true,
    lastSuccessfulPollAt: 2_000,
    commandsTotal: 3,
    inflight: 0,
    queued: 0,
    running: 0,
    errorsByKind: {},
    channels: [
      {
        name: 'main',
        transport: 'stdio',
        state: 'ready',
        target: 'node demo.js',
        pid: 4242,
        restarts: 1,
        inFlight: 0,
        sessions: 2,
        probe: { ok: true, at: 1_500, message: 'tools/list answered' },
      },
    ],
    ...overrides,
  };
}

/** Lets pending promise callbacks (bridge answers, store updates) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

export const record = (seq: number, overrides: Partial<RequestRecordDto> = {}): RequestRecordDto => ({
  seq,
  tunnel: 'demo',
  requestId: `req_${seq}`,
  channel: 'main',
  commandType: 'jsonrpc',
  method: 'tools/call',
  toolName: 'echo',
  startedAt: 1_700_000_000_000 + seq,
  queueMs: 0.2,
  mcpMs: 3,
  postMs: 1,
  status: 200,
  outcome: 'ok',
  requestBytes: 100,
  responseBytes: 200,
  headers: { 'content-type': 'application/json', authorization: '[REDACTED]' },
  ...overrides,
});
