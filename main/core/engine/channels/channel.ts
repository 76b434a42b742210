import type { HeaderMap, JsonObject, TunnelFailure } from '../protocol/wire.js';

export type ChannelTransport = 'stdio' | 'streamable-http' | 'in-memory';

/**
 * What a channel produced for one command; the dispatcher turns it into the terminal POST.
 *
 * - `jsonrpc`: a JSON-RPC response from the MCP server (a result, or a valid MCP error passed
 *   through verbatim) with the upstream status → `jsonrpc_response`. `messageText`, when set,
 *   is the same message as JSON text; `message` must not be changed once it is set.
 * - `ack`: the caller sent a notification or a response and the server accepted it → `notify_ack`.
 * - `session_terminated`: answer to a session termination (e.g. 204, 404, 405) →
 *   `session_termination_response`.
 * - `failure`: no valid MCP answer exists; the dispatcher synthesizes `-32603` with
 *   `error.data.tunnel_failure` and `status` (e.g. 502) as `resp_code`. `reason` is the HTTP
 *   reason phrase used as the error message (never exception text, URLs or secrets).
 */
export type ChannelOutcome =
  | {
      kind: 'jsonrpc';
      status: number;
      headers: HeaderMap;
      message: JsonObject;
      /**
       * Optional: `message` already serialized (e.g. the stdio child's line with the caller's id
       * restored), equal to it as JSON. The response POST splices it in instead of serializing.
       */
      messageText?: string;
    }
  | { kind: 'ack'; status: number; headers: HeaderMap }
  | { kind: 'session_terminated'; status: number; headers: HeaderMap }
  | { kind: 'failure'; status: number; failure: TunnelFailure; reason: string };

/** One command handed to a channel. */
export interface ChannelRequest {
  /** The control plane's request_id, for logs and correlation only. */
  readonly requestId: string;
  /** The caller's JSON-RPC message, verbatim (never renumbered as the caller sees it). */
  readonly message: JsonObject;
  /** The command's headers, multi-valued, as polled. */
  readonly headers: HeaderMap;
  /** Aborted when the command's deadline or TTL passes or the tunnel stops: stop, answer nothing. */
  readonly signal: AbortSignal;
  /**
   * Server→client messages that belong to this call (progress, logging, sampling or elicitation
   * requests), in order. The dispatcher posts each as `jsonrpc_notify` before the terminal answer.
   */
  readonly notify: (message: JsonObject) => void;
}

export interface SessionTerminationRequest {
  readonly requestId: string;
  readonly headers: HeaderMap;
  readonly signal: AbortSignal;
}

/**
 * Channel lifecycle:
 *
 *   idle ──start()──▶ starting ──▶ ready ◀──▶ restarting (stdio child exited; backoff, respawn,
 *                         │                    replay handshake)
 *                         └──────▶ failed (cannot start; retried by the supervisor)
 *   any ──stop()──▶ stopped
 */
export type ChannelState = 'idle' | 'starting' | 'ready' | 'restarting' | 'failed' | 'stopped';

export interface ChannelSnapshot {
  name: string;
  transport: ChannelTransport;
  state: ChannelState;
  /** Human-readable target with secrets removed: the argv for stdio, the URL (no credentials or query) for HTTP. */
  target: string;
  /** stdio only: the child's PID while it runs. */
  pid?: number;
  /** stdio only: how many times the child has been restarted. */
  restarts: number;
  inFlight: number;
  /** Known MCP sessions on this channel. */
  sessions: number;
  /** Why the channel is not ready, in words for the operator; absent when ready. */
  lastError?: string;
}

export interface Channel {
  readonly name: string;
  readonly transport: ChannelTransport;
  /** Declared in X-Tunnel-MCP-Server-Info: true for stdio and in-memory, omitted for HTTP. */
  readonly procAffinity: boolean;
  start(): Promise<void>;
  send(request: ChannelRequest): Promise<ChannelOutcome>;
  terminateSession(request: SessionTerminationRequest): Promise<ChannelOutcome>;
  snapshot(): ChannelSnapshot;
  /** Stop: close stdin / connections, terminate the whole process tree, fail nothing silently. */
  stop(): Promise<void>;
}
