/**
 * Shapes of JSON-RPC messages as they cross a message-stream channel, and the outcomes a
 * channel answers with. Kept tiny and allocation-light: this runs on every message.
 */
import type { HeaderMap, JsonObject, TransportErrorKind, TunnelFailure } from '../../protocol/wire.js';
import type { ChannelOutcome } from '../channel.js';

export type JsonRpcId = string | number;

export type MessageKind = 'request' | 'notification' | 'response' | 'invalid';

/** Classifies one JSON-RPC message: a request has method + id, a notification method only, a response id + result/error. */
export function classifyMessage(message: JsonObject): MessageKind {
  const hasMethod = typeof message.method === 'string';
  const id = message.id;
  const hasId = typeof id === 'string' || typeof id === 'number';
  if (hasMethod) return hasId ? 'request' : 'notification';
  if ((hasId || id === null) && ('result' in message || 'error' in message)) return 'response';
  return 'invalid';
}

export function isJsonRpcId(value: unknown): value is JsonRpcId {
  return typeof value === 'string' || typeof value === 'number';
}

export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

export function jsonHeaders(): HeaderMap {
  return { 'Content-Type': ['application/json'] };
}

export function jsonRpcOutcome(
  message: JsonObject,
  status = 200,
  headers: HeaderMap = jsonHeaders(),
): ChannelOutcome {
  return { kind: 'jsonrpc', status, headers, message };
}

export function jsonRpcError(id: unknown, code: number, message: string): JsonObject {
  return { jsonrpc: '2.0', id: isJsonRpcId(id) ? id : null, error: { code, message } };
}

export const ACK_OUTCOME_STATUS = 202;

export function ackOutcome(): ChannelOutcome {
  return { kind: 'ack', status: ACK_OUTCOME_STATUS, headers: {} };
}

/** A 502 failure outcome with this provenance. */
function badGateway(
  source: TunnelFailure['source'],
  kind: TransportErrorKind,
  upstreamResponseReceived: boolean,
): ChannelOutcome {
  return {
    kind: 'failure',
    status: 502,
    reason: 'Bad Gateway',
    failure: {
      version: 1,
      source,
      transport_error_kind: kind,
      upstream_response_received: upstreamResponseReceived,
    },
  };
}

/** The MCP server went away before answering (child exited, transport closed). */
export function transportClosedOutcome(kind: 'eof' | 'closed_pipe' = 'eof'): ChannelOutcome {
  return badGateway('transport_closed', kind, false);
}

/** The MCP server answered, but its answer was over the size limit and was dropped unread. */
export function answerTooLargeOutcome(): ChannelOutcome {
  return badGateway('protocol', 'response_body_too_large', true);
}

/** The MCP server cannot be started at all (command missing, spawn refused). */
export function unavailableOutcome(): ChannelOutcome {
  return badGateway('connect', 'dial', false);
}

/** The caller's signal aborted: the dispatcher discards this outcome and posts nothing. */
export function abortedOutcome(): ChannelOutcome {
  return {
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
}

/** The relay pins a session to this engine; an id this channel never minted means "re-initialize". */
export function sessionNotFoundOutcome(id: unknown): ChannelOutcome {
  return jsonRpcOutcome(jsonRpcError(id, -32001, 'Session not found'), 404);
}

export function invalidRequestOutcome(): ChannelOutcome {
  return jsonRpcOutcome(jsonRpcError(null, -32600, 'Invalid Request'), 400);
}

export function sessionTerminationUnsupportedOutcome(): ChannelOutcome {
  return { kind: 'session_terminated', status: 405, headers: { Allow: ['POST'] } };
}

const SESSION_HEADER_LOWER = 'mcp-session-id';

/** First value of `Mcp-Session-Id`, matched case-insensitively. */
export function sessionIdOf(headers: HeaderMap): string | undefined {
  const direct = headers['Mcp-Session-Id'] ?? headers['mcp-session-id'];
  if (direct) return direct[0] || undefined;
  for (const name in headers) {
    if (name.toLowerCase() === SESSION_HEADER_LOWER) return headers[name]?.[0] || undefined;
  }
  return undefined;
}
