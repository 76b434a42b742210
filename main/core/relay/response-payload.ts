/**
 * Decoding of `POST /v1/tunnels/{id}/response` bodies and `X-Tunnel-MCP-Server-Info` headers,
 * strictly per openapi.json (TunnelResponsePayload has additionalProperties: false).
 */
import { CHANNEL_NAME_PATTERN, RESP_TYPES, type RespType } from '../engine/protocol/wire.js';
import type { EngineResponse } from './command.js';
import { memberText } from './json-member-text.js';

const PAYLOAD_KEYS = new Set([
  'request_id',
  'channel',
  'resp_json',
  'resp_headers',
  'resp_code',
  'resp_type',
]);

export type DecodedResponse =
  | { ok: true; response: EngineResponse }
  | { ok: false; code: string | null; param: string | null; message: string };

function invalid(param: string | null, message: string, code: string | null = null): DecodedResponse {
  return { ok: false, code, param, message };
}

export function decodeResponsePayload(text: string): DecodedResponse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return invalid(null, 'The response body is not valid JSON.', 'invalid_json_payload');
  }
  if (!isObject(value))
    return invalid(null, 'The response body must be a JSON object.', 'invalid_json_payload');
  for (const key in value) {
    if (!PAYLOAD_KEYS.has(key)) return invalid(key, `Unknown field '${key}' in the response payload.`);
  }
  const { request_id, channel, resp_json, resp_headers, resp_code, resp_type } = value;
  if (typeof request_id !== 'string' || request_id === '')
    return invalid('request_id', 'request_id must be the non-empty string received from the poll.');
  if (channel !== undefined && channel !== null) {
    if (typeof channel !== 'string') return invalid('channel', 'channel must be a string.');
    if (!CHANNEL_NAME_PATTERN.test(channel))
      return invalid('channel', 'channel must match ^[a-z0-9_-]{1,64}$.', 'invalid_channel_format');
  }
  if (resp_json !== undefined && resp_json !== null && !isObject(resp_json))
    return invalid('resp_json', 'resp_json must be a JSON object or null.');
  if (resp_headers !== undefined && !isHeaderMap(resp_headers))
    return invalid('resp_headers', 'resp_headers must map header names to arrays of strings.');
  if (typeof resp_code !== 'number' || !Number.isInteger(resp_code))
    return invalid('resp_code', 'resp_code must be an integer HTTP status.');
  if (resp_type !== undefined && !(RESP_TYPES as readonly unknown[]).includes(resp_type))
    return invalid('resp_type', `resp_type must be one of ${RESP_TYPES.join(', ')}.`);
  const response: EngineResponse = {
    request_id,
    channel,
    resp_json,
    resp_headers: resp_headers as Record<string, string[]> | undefined,
    resp_code,
    resp_type: (resp_type as RespType | undefined) ?? 'jsonrpc_response',
  };
  if (isObject(resp_json)) {
    const raw = memberText(text, 'resp_json');
    if (raw !== undefined) response.respJsonText = raw;
  }
  return { ok: true, response };
}

/** Channels declared `proc_affinity: true` in `X-Tunnel-MCP-Server-Info`; anything invalid → none. */
export function parseAffinityChannels(raw: string): Set<string> {
  const channels = new Set<string>();
  if (raw.length > 4096) return channels;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return channels;
  }
  if (!isObject(value) || value['version'] !== 1 || !Array.isArray(value['channels'])) return channels;
  for (const entry of value['channels'].slice(0, 32)) {
    if (!isObject(entry) || typeof entry['name'] !== 'string' || !CHANNEL_NAME_PATTERN.test(entry['name']))
      continue;
    if (entry['proc_affinity'] === true) channels.add(entry['name']);
  }
  return channels;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHeaderMap(value: unknown): boolean {
  if (!isObject(value)) return false;
  for (const key in value) {
    const entry = value[key];
    if (!Array.isArray(entry) || !entry.every((v) => typeof v === 'string')) return false;
  }
  return true;
}
