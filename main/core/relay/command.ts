/**
 * A command in flight through the relay: a plain object, created once per front-door request,
 * serialized once when a poll takes it (the caller's JSON-RPC text is embedded as received,
 * never re-encoded).
 *
 * Lifecycle (owned by TunnelRuntime):
 *
 *   queued ──poll──▶ delivered ──terminal response──▶ (removed)
 *     │                 │
 *     └──deadline──▶ (removed, caller 504) ◀──deadline──┘
 *
 * The caller going away does not change the phase: the command is still delivered, and its
 * responses are accepted (200) and dropped, so the engine never sees a spurious error.
 */
import type { CommandType, HeaderMap, JsonObject, RespType } from '../engine/protocol/wire.js';

/** A validated `POST /v1/tunnels/{id}/response` body. */
export interface EngineResponse {
  request_id: string;
  channel?: string | null;
  resp_json?: JsonObject | null;
  resp_headers?: HeaderMap;
  resp_code: number;
  resp_type: RespType;
  /**
   * Not a wire field: `resp_json` exactly as the engine sent it (one line), when it could be cut
   * from the body; passed to the caller as is instead of serializing `resp_json` again.
   */
  respJsonText?: string;
}

export type FailReason = 'timeout' | 'shutdown' | 'tunnel_deleted';

/** Where a command's responses go: the MCP caller's HTTP exchange. */
export interface ReplySink {
  /** A non-terminal `jsonrpc_notify`. */
  notify(response: EngineResponse): void;
  /** The terminal response; nothing follows. */
  complete(response: EngineResponse): void;
  /** No terminal response will come. */
  fail(reason: FailReason): void;
}

export type CommandPhase = 'queued' | 'delivered';

export interface RelayCommand {
  readonly requestId: string;
  readonly shardToken: string;
  readonly type: CommandType;
  readonly channel: string;
  /** RFC 3339, wall clock. */
  readonly createdAt: string;
  /** Monotonic ms (injected clock). */
  readonly enqueuedAt: number;
  /** Monotonic ms: no terminal response by then → the caller gets 504. */
  readonly deadlineAt: number;
  /** `headers` of the wire command, serialized once. */
  readonly headersJson: string;
  /** The caller's JSON-RPC message text as received (jsonrpc commands only). */
  readonly messageJson: string | undefined;
  /** The JSON-RPC method was `initialize`: its Mcp-Session-Id pins the session. */
  readonly isInitialize: boolean;
  /** `channel + '\n' + Mcp-Session-Id` when the caller named a session. */
  readonly sessionKey: string | undefined;
  /** Only this client instance may take it (session affinity). */
  readonly targetInstance: string | undefined;
  readonly sink: ReplySink;
  phase: CommandPhase;
  /** The client instance whose poll took it. */
  instanceId: string | undefined;
  timer: NodeJS.Timeout | undefined;
}

/** `response_timeout` on the wire: one integer and one unit. */
export function formatResponseTimeout(ms: number): string {
  const whole = Math.max(0, Math.floor(ms));
  return whole % 1000 === 0 ? `${whole / 1000}s` : `${whole}ms`;
}

/**
 * The wire JSON of one polled command. Ids, tokens, channel and timestamps are from
 * restricted alphabets, so they are concatenated without escaping. `response_timeout` is the
 * time left until the relay's deadline, so the engine never works past it.
 */
export function commandWireJson(cmd: RelayCommand, now: number): string {
  let out =
    `{"request_id":"${cmd.requestId}","shard_token":"${cmd.shardToken}","command_type":"${cmd.type}",` +
    `"channel":"${cmd.channel}","created_at":"${cmd.createdAt}",` +
    `"response_timeout":"${formatResponseTimeout(cmd.deadlineAt - now)}","headers":${cmd.headersJson}`;
  if (cmd.messageJson !== undefined) out += `,"jsonrpc":${cmd.messageJson}`;
  return `${out}}`;
}
