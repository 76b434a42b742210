/**
 * Wire types of the Secure MCP Tunnel control plane (../shared/protocol/openapi.json).
 * Field names are the wire's own (snake_case) so payloads are built and read without mapping.
 */

/** Multi-valued HTTP-style header map, as on the wire: `{"Name": ["v1", "v2"]}`. */
export type HeaderMap = Record<string, string[]>;

/** A JSON object whose shape we do not interpret (JSON-RPC messages pass through verbatim). */
export type JsonObject = Record<string, unknown>;

export const COMMAND_TYPES = ['jsonrpc', 'session_termination'] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

interface PolledCommandBase {
  request_id: string;
  shard_token: string;
  /** Defaults to `main` when absent on the wire. */
  channel: string;
  created_at: string;
  /** `^[0-9]+(ns|us|ms|s|m|h)$`, null or absent. Never interpret anything else as a deadline. */
  response_timeout?: unknown;
  headers: HeaderMap;
}

export interface JsonRpcCommand extends PolledCommandBase {
  command_type: 'jsonrpc';
  jsonrpc: JsonObject;
}

export interface SessionTerminationCommand extends PolledCommandBase {
  command_type: 'session_termination';
}

export type PolledCommand = JsonRpcCommand | SessionTerminationCommand;

export const RESP_TYPES = [
  'jsonrpc_response',
  'jsonrpc_notify',
  'notify_ack',
  'session_termination_response',
] as const;
export type RespType = (typeof RESP_TYPES)[number];

/** Body of `POST /v1/tunnels/{id}/response`. The shard token travels only in `X-Tunnel-Shard-Token`. */
export interface ResponsePayload {
  request_id: string;
  channel: string;
  resp_json?: JsonObject;
  resp_headers?: HeaderMap;
  resp_code: number;
  resp_type: RespType;
}

export const FAILURE_SOURCES = [
  'target_http',
  'dns',
  'tls',
  'connect',
  'transport_closed',
  'timeout',
  'protocol',
  'client_internal',
] as const;
export type FailureSource = (typeof FAILURE_SOURCES)[number];

export const TRANSPORT_ERROR_KINDS = [
  'closed_pipe',
  'connection_aborted',
  'connection_closed',
  'connection_refused',
  'connection_reset',
  'dial',
  'dns',
  'eof',
  'host_unreachable',
  'http_status',
  'invalid_mcp_error',
  'invalid_protocol_response',
  'malformed_json',
  'network_unreachable',
  'non_protocol_response',
  'response_body_missing',
  'response_body_too_large',
  'response_body_unreadable',
  'timeout',
  'tls',
  'unexpected_eof',
  'unknown',
] as const;
export type TransportErrorKind = (typeof TRANSPORT_ERROR_KINDS)[number];

/**
 * `error.data.tunnel_failure` of a synthesized -32603. Bounded provenance only: never URLs,
 * bodies, exception text or secrets.
 */
export interface TunnelFailure {
  version: 1;
  source: FailureSource;
  transport_error_kind?: TransportErrorKind;
  upstream_response_received: boolean;
  /** Only with source `target_http`, 400..599. */
  upstream_status?: number;
}

/** Response headers the engine may forward back through the control plane (case-insensitive). */
export const RESPONSE_HEADER_ALLOWLIST = [
  'Content-Type',
  'Mcp-Session-Id',
  'Mcp-Protocol-Version',
  'Last-Event-ID',
  'Access-Control-Expose-Headers',
  'WWW-Authenticate',
] as const;

/** Canonical channel names: `^[a-z0-9_-]{1,64}$`. */
export const CHANNEL_NAME_PATTERN = /^[a-z0-9_-]{1,64}$/;

/** OpenAI tunnel ids: `tunnel_` + 32 lowercase alphanumerics. */
export const TUNNEL_ID_PATTERN = /^tunnel_[a-z0-9]{32}$/;

/** `{error:{message,type,param,code}}` as served by the control plane and the relay. */
export interface ApiErrorBody {
  error: { message: string; type: string; param?: string | null; code?: string | null };
}

export interface TunnelMetadata {
  id: string;
  name: string;
  description: string;
}
