/**
 * Turning what a channel produced into the body of `POST /v1/tunnels/{id}/response`.
 * Pure functions; headers come only from the outcome (channels already apply the allowlist).
 */
import type { ChannelOutcome } from '../channels/channel.js';
import { filterResponseHeaders } from '../protocol/response-headers.js';
import type { JsonObject, PolledCommand, ResponsePayload, TunnelFailure } from '../protocol/wire.js';

type FailureOutcome = Extract<ChannelOutcome, { kind: 'failure' }>;

/** An unknown `command.channel`: never falls back to `main`. */
export const UNSUPPORTED_CHANNEL: FailureOutcome = {
  kind: 'failure',
  status: 400,
  reason: 'unsupported channel',
  failure: { version: 1, source: 'protocol', upstream_response_received: false },
};

/** The channel work outlived MCP_CONNECTION_MAX_TTL. */
export const TTL_EXCEEDED: FailureOutcome = {
  kind: 'failure',
  status: 504,
  reason: 'Gateway Timeout',
  failure: {
    version: 1,
    source: 'timeout',
    transport_error_kind: 'timeout',
    upstream_response_received: false,
  },
};

/** The channel threw instead of returning an outcome (a bug): bounded provenance, no exception text. */
export const CHANNEL_THREW: FailureOutcome = {
  kind: 'failure',
  status: 502,
  reason: 'Bad Gateway',
  failure: { version: 1, source: 'client_internal', upstream_response_received: false },
};

/**
 * Whether a JSON-RPC message is a request (has a method and an id) and therefore expects a
 * JSON-RPC response. Notifications and the caller's responses are answered with `notify_ack`.
 */
export function expectsJsonRpcResponse(message: JsonObject): boolean {
  return typeof message.method === 'string' && message.id !== undefined;
}

function callerId(message: JsonObject): string | number | null {
  const id = message.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

/** `-32603` with `error.data.tunnel_failure`, as a JSON-RPC response to the caller's request. */
export function synthesizedError(
  id: string | number | null,
  reason: string,
  failure: TunnelFailure,
): JsonObject {
  return {
    jsonrpc: '2.0',
    id,
    error: { code: -32603, message: reason, data: { tunnel_failure: failure } },
  };
}

/** The terminal payload for a command and what its channel produced. */
export function terminalPayload(command: PolledCommand, outcome: ChannelOutcome): ResponsePayload {
  const base = { request_id: command.request_id, channel: command.channel };
  if (command.command_type === 'session_termination') {
    // Whatever happened, a session termination is answered as such (failure → its status, no body).
    // Its headers are filtered here (cold path): stream channels answer 405 with `Allow`, which
    // the response-header allowlist does not admit.
    return {
      ...base,
      resp_type: 'session_termination_response',
      resp_code: outcome.status,
      resp_headers: outcome.kind === 'failure' ? {} : filterResponseHeaders(outcome.headers),
    };
  }
  switch (outcome.kind) {
    case 'jsonrpc':
      return {
        ...base,
        resp_type: 'jsonrpc_response',
        resp_code: outcome.status,
        resp_headers: outcome.headers,
        resp_json: outcome.message,
      };
    case 'ack':
      return { ...base, resp_type: 'notify_ack', resp_code: outcome.status, resp_headers: outcome.headers };
    case 'session_terminated':
      return {
        ...base,
        resp_type: 'session_termination_response',
        resp_code: outcome.status,
        resp_headers: outcome.headers,
      };
    case 'failure':
      if (!expectsJsonRpcResponse(command.jsonrpc)) {
        return { ...base, resp_type: 'notify_ack', resp_code: outcome.status, resp_headers: {} };
      }
      return {
        ...base,
        resp_type: 'jsonrpc_response',
        resp_code: outcome.status,
        resp_headers: { 'Content-Type': ['application/json'] },
        resp_json: synthesizedError(callerId(command.jsonrpc), outcome.reason, outcome.failure),
      };
  }
}

/** A server→client message of one call, posted before the terminal answer. */
export function notifyPayload(command: PolledCommand, message: JsonObject): ResponsePayload {
  return {
    request_id: command.request_id,
    channel: command.channel,
    resp_json: message,
    resp_headers: {},
    resp_code: 200,
    resp_type: 'jsonrpc_notify',
  };
}
