/** Minimal JSON-RPC 2.0 shape checks: enough to pass messages through verbatim, no reinterpretation. */
import type { JsonObject } from '../../protocol/wire.js';

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A valid JSON-RPC error object: `jsonrpc: "2.0"` and `error: {code: integer, message: string}`. */
export function isJsonRpcError(value: unknown): value is JsonObject {
  if (!isJsonObject(value) || value['jsonrpc'] !== '2.0') return false;
  const error = value['error'];
  return isJsonObject(error) && Number.isInteger(error['code']) && typeof error['message'] === 'string';
}

/** A JSON-RPC response (result or valid error), whatever its id. */
export function isJsonRpcResponse(value: unknown): value is JsonObject {
  if (!isJsonObject(value) || value['jsonrpc'] !== '2.0' || 'method' in value) return false;
  return 'result' in value ? 'id' in value : isJsonRpcError(value);
}

/** The caller's message is a request (has a method and an id) and so expects a response. */
export function expectsResponse(message: JsonObject): boolean {
  const id = message['id'];
  return typeof message['method'] === 'string' && (typeof id === 'string' || typeof id === 'number');
}
