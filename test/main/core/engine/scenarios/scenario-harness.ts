/**
 * Scenario harness: a FakeControlPlane on loopback and a REAL tunnel polling it (real undici
 * client, dispatcher, poll loop and channels), plus helpers to push commands and read what the
 * engine posted back. Every scenario is torn down by `closeScenarios()` (call it in afterEach),
 * which also checks the wire contract for everything the engine sent: `fake.problems()`
 * (openapi.json + identity headers), each posted body against `TunnelResponsePayload` (and any
 * `tunnel_failure` against its published schema), `resp_headers` within the allowlist, and
 * every command served by a poll against `PolledCommandList` (except those a test marks as
 * deliberately off-contract with `offContract()`).
 *
 *   const s = await startScenario();                  // in-memory demo server as `main`
 *   const id = s.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: {...} });
 *   const answer = await s.terminal(id);              // the accepted terminal payload
 */
import type { Channel } from '../../../../../main/core/engine/channels/channel.js';
import { createInMemoryChannel } from '../../../../../main/core/engine/channels/in-memory.js';
import { buildTunnel } from '../../../../../main/core/engine/build-tunnel.js';
import type { ChannelConfig } from '../../../../../main/core/engine/config.js';
import { createControlPlaneClient } from '../../../../../main/core/engine/control-plane/http-client.js';
import type { BackoffPolicy } from '../../../../../main/core/engine/control-plane/backoff.js';
import type { CommandRecord } from '../../../../../main/core/engine/dispatcher/types.js';
import { buildServerInfo } from '../../../../../main/core/engine/protocol/server-info.js';
import {
  RESPONSE_HEADER_ALLOWLIST,
  type JsonObject,
  type ResponsePayload,
} from '../../../../../main/core/engine/protocol/wire.js';
import { createTunnel, type Tunnel, type TunnelStatus } from '../../../../../main/core/engine/tunnel.js';
import { createDemoServer } from '../../../../../main/core/demo/create-demo-server.js';
import { LogHub, type Logger } from '../../../../../main/core/observability/logger.js';
import type { Clock } from '../../../../../main/core/runtime/clock.js';
import {
  FakeControlPlane,
  jsonrpcCommand,
  type CommandOptions,
  type RecordedCall,
  type WireCommand,
} from '../../../../fakes/fake-control-plane.js';
import { schemaErrors, tunnelFailureErrors } from '../../../../support/openapi.js';
import { withTimeout } from './scenario-waits.js';

export { eventually, settle, withTimeout } from './scenario-waits.js';

export const SCENARIO_KEY = 'sk-scenario-runtime-key-0123456789';
export const PROTOCOL_VERSION = '2025-06-18';

export interface ScenarioOptions {
  /** Channels of the tunnel; default: the in-memory demo server as `main`. */
  channels?: (logger: Logger) => Channel[];
  /** Build through `buildTunnel` from these channel configs (plus `channels` as extra channels). */
  configChannels?: ChannelConfig[];
  /** Tunnel and control-plane client clock (createTunnel path only). */
  clock?: Clock;
  /** Poll backoff jitter (createTunnel path only); default 0 (deterministic, shortest). */
  random?: () => number;
  /** createTunnel path only; default false (ready on the first answered poll). */
  probeOnStart?: boolean;
  respondBackoff?: BackoffPolicy;
  maxInflight?: number;
  maxConcurrent?: number;
  /** Sent as `timeout_ms`; default 1000. */
  pollTimeoutMs?: number;
  /** How long the fake holds an empty poll before 204; default 200. */
  pollHoldMs?: number;
  /** Wait for `ready` before returning; default true. */
  waitReady?: boolean;
}

export interface Scenario {
  readonly fake: FakeControlPlane;
  readonly tunnel: Tunnel;
  readonly channels: Channel[];
  readonly hub: LogHub;
  readonly records: CommandRecord[];
  readonly statuses: TunnelStatus[];
  /** Queue a jsonrpc command; returns its request_id. */
  send(message: JsonObject, opts?: CommandOptions): string;
  /** The accepted terminal payload for a request (waits, bounded). */
  terminal(requestId: string, timeoutMs?: number): Promise<ResponsePayload>;
  /** Every payload the engine posted for a request, in arrival order. */
  payloads(requestId: string): ResponsePayload[];
  /** The dispatcher's record of a finished command (waits, bounded). */
  record(requestId: string, timeoutMs?: number): Promise<CommandRecord>;
  /** initialize + notifications/initialized through the tunnel; returns the Mcp-Session-Id. */
  initialize(opts?: { channel?: string; capabilities?: JsonObject }): Promise<string>;
  /** Mark commands as deliberately off-contract (excluded from the PolledCommandList check). */
  offContract(...commands: WireCommand[]): void;
  /** Call when a test ends early on purpose (closeScenarios does it anyway). */
  close(): Promise<void>;
}

const open: ScenarioImpl[] = [];

export function payloadOf(call: RecordedCall): ResponsePayload {
  return call.body as ResponsePayload;
}

/** Text of the first content block of a tools/call result. */
export function resultText(payload: ResponsePayload): string | undefined {
  const result = payload.resp_json?.result as { content?: { type?: string; text?: string }[] } | undefined;
  return result?.content?.[0]?.text;
}

export function toolCall(
  id: string | number,
  name: string,
  args: JsonObject,
  progressToken?: string | number,
) {
  const params: JsonObject = { name, arguments: args };
  if (progressToken !== undefined) params._meta = { progressToken };
  return { jsonrpc: '2.0', id, method: 'tools/call', params };
}

export function sessionHeaders(
  sessionId: string,
  extra: Record<string, string[]> = {},
): Record<string, string[]> {
  return { 'Mcp-Session-Id': [sessionId], 'Mcp-Protocol-Version': [PROTOCOL_VERSION], ...extra };
}

export function demoChannel(name: string, logger: Logger): Channel {
  return createInMemoryChannel({ name, createServer: createDemoServer, logger: logger.child(name) });
}

class ScenarioImpl implements Scenario {
  readonly records: CommandRecord[] = [];
  readonly statuses: TunnelStatus[] = [];
  readonly #offContract = new Set<WireCommand>();
  readonly #recordListeners = new Set<() => void>();
  #closed: Promise<void> | undefined;
  tunnel!: Tunnel;
  channels!: Channel[];

  constructor(
    readonly fake: FakeControlPlane,
    readonly hub: LogHub,
  ) {}

  onRecord = (record: CommandRecord): void => {
    this.records.push(record);
    for (const listener of [...this.#recordListeners]) listener();
  };

  send(message: JsonObject, opts: CommandOptions = {}): string {
    const command = jsonrpcCommand(message, opts);
    this.fake.pushCommands(command);
    return command.request_id as string;
  }

  async terminal(requestId: string, timeoutMs?: number): Promise<ResponsePayload> {
    return payloadOf(await this.fake.waitForTerminal(requestId, timeoutMs));
  }

  payloads(requestId: string): ResponsePayload[] {
    return this.fake.responsesFor(requestId).map(payloadOf);
  }

  record(requestId: string, timeoutMs = 5_000): Promise<CommandRecord> {
    const find = (): CommandRecord | undefined => this.records.find((r) => r.requestId === requestId);
    const found = find();
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const listener = (): void => {
        const record = find();
        if (!record) return;
        clearTimeout(timer);
        this.#recordListeners.delete(listener);
        resolve(record);
      };
      const timer = setTimeout(() => {
        this.#recordListeners.delete(listener);
        reject(
          new Error(`no command record for ${requestId} after ${timeoutMs} ms; saw ${this.fake.summary()}`),
        );
      }, timeoutMs);
      this.#recordListeners.add(listener);
    });
  }

  async initialize(opts: { channel?: string; capabilities?: JsonObject } = {}): Promise<string> {
    const channel = opts.channel ?? 'main';
    const init = this.send(
      {
        jsonrpc: '2.0',
        id: 'init',
        method: 'initialize',
        params: {
          protocolVersion: PROTOCOL_VERSION,
          capabilities: opts.capabilities ?? {},
          clientInfo: { name: 'scenario-caller', version: '1.0.0' },
        },
      },
      { channel },
    );
    const answer = await this.terminal(init);
    const session = answer.resp_headers?.['Mcp-Session-Id']?.[0];
    if (answer.resp_type !== 'jsonrpc_response' || session === undefined) {
      throw new Error(`initialize failed: ${JSON.stringify(answer)}`);
    }
    const ack = this.send(
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { channel, headers: sessionHeaders(session) },
    );
    const acked = await this.terminal(ack);
    if (acked.resp_type !== 'notify_ack') throw new Error(`initialized not acked: ${JSON.stringify(acked)}`);
    return session;
  }

  offContract(...commands: WireCommand[]): void {
    for (const c of commands) this.#offContract.add(c);
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.tunnel?.stop();
      await this.fake.close();
    })();
    return this.#closed;
  }

  /** Contract problems in everything recorded so far. */
  contractProblems(): string[] {
    const out = [...this.fake.problems()];
    for (const command of this.fake.delivered) {
      if (this.#offContract.has(command)) continue;
      const error = schemaErrors('PolledCommandList', { commands: [command] });
      if (error) out.push(`served command ${String(command.request_id)}: ${error}`);
    }
    const allowed = new Set(RESPONSE_HEADER_ALLOWLIST.map((h) => h.toLowerCase()));
    for (const call of this.fake.responsePosts()) {
      const where = `#${call.seq} POST response`;
      const error = schemaErrors('TunnelResponsePayload', call.body);
      if (error) out.push(`${where}: ${error}`);
      const payload = payloadOf(call);
      for (const name of Object.keys(payload.resp_headers ?? {})) {
        if (!allowed.has(name.toLowerCase()))
          out.push(`${where}: resp_headers has ${name}, not in the allowlist`);
      }
      const failure = (payload.resp_json?.error as { data?: { tunnel_failure?: unknown } } | undefined)?.data
        ?.tunnel_failure;
      if (failure !== undefined) {
        const failureError = tunnelFailureErrors(failure);
        if (failureError) out.push(`${where}: ${failureError}`);
      }
    }
    return out;
  }
}

export async function startScenario(
  options: ScenarioOptions = {},
): Promise<Scenario & { contractProblems(): string[] }> {
  const fake = await FakeControlPlane.start({ apiKey: SCENARIO_KEY, pollHoldMs: options.pollHoldMs ?? 200 });
  const hub = new LogHub({ level: 'debug', capacity: 50_000 });
  const s = new ScenarioImpl(fake, hub);
  open.push(s);
  const logger = hub.logger('scenario');
  const made = options.channels?.(logger) ?? (options.configChannels ? [] : [demoChannel('main', logger)]);
  const maxInflight = options.maxInflight ?? 20;
  const maxConcurrent = options.maxConcurrent ?? 10;
  const pollTimeoutMs = options.pollTimeoutMs ?? 1_000;
  if (options.configChannels) {
    const built = buildTunnel({
      config: {
        name: 'scenario',
        controlPlane: {
          baseUrl: fake.baseUrl,
          tunnelId: fake.tunnelId,
          apiKey: SCENARIO_KEY,
          maxInflight,
          pollTimeoutMs,
        },
        channels: options.configChannels,
        maxConcurrent,
        connectionMaxTtlMs: 60_000,
      },
      logger,
      onRecord: s.onRecord,
      extraChannels: made,
    });
    s.tunnel = built.tunnel;
    s.channels = built.channels;
  } else {
    const client = createControlPlaneClient({
      baseUrl: fake.baseUrl,
      tunnelId: fake.tunnelId,
      apiKey: SCENARIO_KEY,
      clientVersion: '0.0.0-scenario',
      serverInfo: buildServerInfo(made.map((c) => ({ name: c.name, procAffinity: c.procAffinity }))),
      logger: logger.child('control-plane'),
      random: () => 0,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.respondBackoff ? { respondBackoff: options.respondBackoff } : {}),
    });
    s.tunnel = createTunnel({
      id: 'scenario',
      client,
      channels: made,
      dispatcher: { maxInflight, maxConcurrent, connectionMaxTtlMs: 60_000, onRecord: s.onRecord },
      pollTimeoutMs,
      logger,
      random: options.random ?? (() => 0),
      probeOnStart: options.probeOnStart ?? false,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    s.channels = made;
  }
  s.tunnel.onStatus((status) => s.statuses.push(status));
  await s.tunnel.start();
  if (options.waitReady ?? true)
    await withTimeout(s.tunnel.whenReady(), 'the tunnel to become ready', 10_000);
  return s;
}

/** Stop every scenario started since the last call; throws if the engine broke the wire contract. */
export async function closeScenarios(): Promise<void> {
  const scenarios = open.splice(0);
  await Promise.all(scenarios.map((s) => s.close()));
  const problems = scenarios.flatMap((s) => s.contractProblems());
  if (problems.length > 0) throw new Error(`wire contract broken:\n${problems.join('\n')}`);
}
