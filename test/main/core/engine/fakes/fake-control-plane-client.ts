/**
 * A ControlPlaneClient whose answers each test scripts. Records every poll and every posted
 * response (payload + options). By default a poll hangs until aborted (a long poll with nothing
 * to deliver) and every response POST is accepted.
 */
import type {
  ControlPlaneClient,
  ControlPlaneErrorCode,
  PollOptions,
  PollResult,
  RespondOptions,
  RespondResult,
} from '../../../../../main/core/engine/control-plane/types.js';
import type {
  PolledCommand,
  ResponsePayload,
  TunnelMetadata,
} from '../../../../../main/core/engine/protocol/wire.js';

export interface PostedResponse {
  payload: ResponsePayload;
  options: RespondOptions;
}

/** Shaped like the real client's ControlPlaneError (read by shape by the engine). */
export class FakeControlPlaneError extends Error {
  constructor(
    readonly code: ControlPlaneErrorCode,
    readonly status?: number,
    readonly retryAfterMs?: number,
    readonly apiCode?: string,
  ) {
    super(`fake control plane error ${code}`);
  }
}

export class FakeControlPlaneClient implements ControlPlaneClient {
  readonly polls: PollOptions[] = [];
  /** Monotonic times of each poll, when a clock is given. */
  readonly pollTimes: number[] = [];
  readonly posted: PostedResponse[] = [];
  closed = 0;
  getTunnelCalls = 0;
  onPoll: (options: PollOptions, index: number) => Promise<PollResult> = (options) =>
    hangUntilAborted(options.signal);
  onRespond: (payload: ResponsePayload, options: RespondOptions) => Promise<RespondResult> = async () => 'ok';
  onGetTunnel: (signal: AbortSignal) => Promise<TunnelMetadata> = async () => ({
    id: 'tunnel_0123456789abcdef0123456789abcdef',
    name: 'fake tunnel',
    description: '',
  });

  constructor(private readonly now?: () => number) {}

  getTunnel(signal: AbortSignal): Promise<TunnelMetadata> {
    this.getTunnelCalls++;
    return this.onGetTunnel(signal);
  }

  poll(options: PollOptions): Promise<PollResult> {
    this.polls.push(options);
    if (this.now) this.pollTimes.push(this.now());
    return this.onPoll(options, this.polls.length - 1);
  }

  respond(payload: ResponsePayload, options: RespondOptions): Promise<RespondResult> {
    this.posted.push({ payload, options });
    return this.onRespond(payload, options);
  }

  async close(): Promise<void> {
    this.closed++;
  }

  /** The posted payloads of one command, in order. */
  postsFor(requestId: string): ResponsePayload[] {
    return this.posted.filter((p) => p.payload.request_id === requestId).map((p) => p.payload);
  }
}

export function hangUntilAborted<T>(signal: AbortSignal): Promise<T> {
  return new Promise<T>((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

export function pollResult(commands: PolledCommand[], receivedAt: number): PollResult {
  return { receivedAt, commands, dropped: [], skipped: [] };
}

let counter = 0;

export function jsonrpcCommand(
  overrides: Partial<PolledCommand> & { jsonrpc?: Record<string, unknown> } = {},
): PolledCommand {
  counter++;
  return {
    request_id: `req_${counter}`,
    shard_token: `shard_${counter}`,
    channel: 'main',
    created_at: '2026-06-12T12:13:14.000Z',
    headers: {},
    command_type: 'jsonrpc',
    jsonrpc: { jsonrpc: '2.0', id: counter, method: 'tools/list' },
    ...overrides,
  };
}

export function terminationCommand(overrides: Partial<PolledCommand> = {}): PolledCommand {
  counter++;
  return {
    request_id: `req_${counter}`,
    shard_token: `shard_${counter}`,
    channel: 'main',
    created_at: '2026-06-12T12:13:14.000Z',
    headers: { 'Mcp-Session-Id': ['sess-1'] },
    command_type: 'session_termination',
    ...overrides,
  } as PolledCommand;
}
