import type { Logger } from '../../observability/logger.js';
import type { Clock } from '../../runtime/clock.js';
import type { Channel } from '../channels/channel.js';
import type { ControlPlaneClient } from '../control-plane/types.js';
import type { CommandType, FailureSource, HeaderMap, PolledCommand } from '../protocol/wire.js';

export const DISPATCHER_DEFAULTS = {
  /** CONTROL_PLANE_MAX_INFLIGHT_REQUESTS: commands accepted and not finished (the queue bound). */
  maxInflight: 20,
  /** MCP_MAX_CONCURRENT_REQUESTS: commands handed to channels at once. */
  maxConcurrent: 10,
  /** MCP_CONNECTION_MAX_TTL: the longest a command's channel work may take. */
  connectionMaxTtlMs: 600_000,
} as const;

/**
 * How one command ended.
 * - `ok`: a result, an ack or a session termination answer was posted.
 * - `mcp_error`: a valid JSON-RPC error from the MCP server was posted verbatim.
 * - `failure`: a synthesized -32603 (or a failure ack) was posted; see `failureSource`.
 * - `dropped`: its `response_timeout` had already passed when it arrived; nothing posted.
 * - `expired`: its deadline passed while queued, during MCP work or during the POST; nothing more posted.
 * - `gone`: the control plane answered 404 to the terminal POST (already fulfilled or expired).
 * - `post_failed`: the terminal POST failed after the client's retries.
 * - `cancelled`: the tunnel stopped before the command finished; nothing posted.
 */
export type CommandOutcomeKind =
  'ok' | 'mcp_error' | 'failure' | 'expired' | 'dropped' | 'gone' | 'post_failed' | 'cancelled';

/** One finished command, for the admin UI's Requests page and metrics. Never carries payload bodies. */
export interface CommandRecord {
  requestId: string;
  channel: string;
  commandType: CommandType;
  /** JSON-RPC method, or `response` for a caller's answer to a server request. */
  method?: string;
  /** `params.name` of a `tools/call`. */
  toolName?: string;
  /** Wall-clock ms when the command was accepted. */
  startedAt: number;
  /** Accepted → handed to the channel (or → dropped/expired while queued). */
  queueMs: number;
  /** Channel work. */
  mcpMs: number;
  /** Notification and terminal POSTs after the channel work. */
  postMs: number;
  /** `resp_code` of the terminal POST, when one was attempted. */
  status: number | undefined;
  outcome: CommandOutcomeKind;
  failureSource?: FailureSource;
  /** Whether a `jsonrpc_notify` POST of this command failed (later notifications were skipped). */
  notifyPostFailed: boolean;
  /** Size of the caller's JSON-RPC message (serialized), 0 for session termination. */
  requestBytes: number;
  /** Size of the terminal `resp_json` (serialized), 0 without a body. */
  responseBytes: number;
  /** The command's headers with secret values redacted. */
  headers: HeaderMap;
}

export interface DispatcherOptions {
  client: ControlPlaneClient;
  /** Channels by name; `command.channel` must name one of them (no fallback to `main`). */
  channels: ReadonlyMap<string, Channel>;
  maxInflight?: number;
  maxConcurrent?: number;
  connectionMaxTtlMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** Called once per command when it finishes. Records (and their byte counts) are only built when set. */
  onRecord?: (record: CommandRecord) => void;
  /**
   * Called once per finished command with just its category: cheap, for error counters. Unlike
   * `onRecord` it builds nothing.
   */
  onOutcome?: (
    outcome: CommandOutcomeKind,
    failureSource: FailureSource | undefined,
    notifyPostFailed: boolean,
  ) => void;
  /** Called when inflight/queued/running change (for coalesced status updates). Keep it cheap. */
  onChange?: () => void;
}

export interface DispatcherSnapshot {
  /** Accepted and not finished (queued + running + posting). */
  inflight: number;
  /** Waiting for a concurrency slot. */
  queued: number;
  /** Handed to a channel right now. */
  running: number;
  maxInflight: number;
  maxConcurrent: number;
}

export interface Dispatcher {
  /** maxInflight − inflight (may be negative after a poll returned more than asked for). */
  freeCapacity(): number;
  /** Resolves once freeCapacity() > 0; rejects with the signal's reason when aborted first. */
  waitForCapacity(signal: AbortSignal): Promise<void>;
  /** Take every command of one poll response; `receivedAt` is the poll's monotonic receipt time. */
  accept(commands: readonly PolledCommand[], receivedAt: number): void;
  snapshot(): DispatcherSnapshot;
  /** Stop accepting, abort everything in flight (posting nothing more), resolve when all settled. */
  stop(signal?: AbortSignal): Promise<void>;
}
