/**
 * Forward-compatible decoding of a `GET /v1/tunnels/{id}/poll` 200 body (`PolledCommandList`).
 *
 * Rules (shared/protocol/README.md):
 * - Unknown JSON fields are ignored (each command is rebuilt with the known fields only).
 * - `command_type` absent or null → `jsonrpc` (the schema default); an unknown type string →
 *   `skipped` (request_id and type kept for the log); polling goes on.
 * - `channel` absent or null → `main`; `headers` absent or null → `{}`.
 * - A command that cannot be processed safely → `dropped` with a reason: not an object, missing
 *   `request_id` / `shard_token` / `created_at`, non-string `channel` or `command_type`,
 *   `headers` that are not `Record<string, string[]>`, `jsonrpc` that is not an object.
 * - `response_timeout` is passed through untouched (the dispatcher parses it and fails open).
 *
 * Never throws. Whether the body as a whole is a poll body (an object with a `commands` array)
 * is a protocol question the HTTP client answers first with `pollBodyProblem()` and turns into
 * a `ControlPlaneError('protocol')`; if `decodePollBody` is handed such a body anyway it returns
 * no commands and one `dropped` entry that says why.
 */
import type { DroppedCommand, SkippedCommand } from '../control-plane/types.js';
import type { HeaderMap, PolledCommand } from './wire.js';

export interface DecodedPollBody {
  commands: PolledCommand[];
  dropped: DroppedCommand[];
  skipped: SkippedCommand[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why `json` is not a poll body (`{"commands": [...]}`), or undefined when it is one. */
export function pollBodyProblem(json: unknown): string | undefined {
  if (!isObject(json)) return 'poll body is not a JSON object';
  if (!Array.isArray(json.commands)) return 'poll body has no "commands" array';
  return undefined;
}

function isHeaderMap(value: unknown): value is HeaderMap {
  if (!isObject(value)) return false;
  for (const key in value) {
    const values = value[key];
    if (!Array.isArray(values)) return false;
    for (const v of values) if (typeof v !== 'string') return false;
  }
  return true;
}

type DecodeOutcome =
  | { ok: true; command: PolledCommand }
  | { ok: false; dropped: DroppedCommand }
  | { ok: false; skipped: SkippedCommand };

/** Decode one entry of `commands`. Exported for tests and for callers holding a single command. */
export function decodeCommand(raw: unknown): DecodeOutcome {
  if (!isObject(raw)) return { ok: false, dropped: { reason: 'command is not a JSON object' } };
  const requestId = typeof raw.request_id === 'string' && raw.request_id !== '' ? raw.request_id : undefined;
  const drop = (reason: string): DecodeOutcome => ({
    ok: false,
    dropped: requestId === undefined ? { reason } : { requestId, reason },
  });

  const type = raw.command_type ?? 'jsonrpc';
  if (typeof type !== 'string') return drop('command_type is not a string');
  if (type !== 'jsonrpc' && type !== 'session_termination') {
    return {
      ok: false,
      skipped: requestId === undefined ? { commandType: type } : { requestId, commandType: type },
    };
  }
  if (requestId === undefined) return drop('missing request_id');
  if (typeof raw.shard_token !== 'string' || raw.shard_token === '') return drop('missing shard_token');
  if (typeof raw.created_at !== 'string') return drop('missing created_at');
  const channel = raw.channel ?? 'main';
  if (typeof channel !== 'string') return drop('channel is not a string');
  const headers = raw.headers ?? {};
  if (!isHeaderMap(headers)) return drop('headers is not an object of string arrays');

  const base = {
    request_id: requestId,
    shard_token: raw.shard_token,
    channel,
    created_at: raw.created_at,
    headers,
  };
  const withTimeout = 'response_timeout' in raw ? { response_timeout: raw.response_timeout } : {};
  if (type === 'session_termination') {
    return { ok: true, command: { ...base, ...withTimeout, command_type: 'session_termination' } };
  }
  if (!isObject(raw.jsonrpc)) return drop('jsonrpc is not a JSON object');
  return {
    ok: true,
    command: { ...base, ...withTimeout, command_type: 'jsonrpc', jsonrpc: raw.jsonrpc },
  };
}

/** Split a poll body into commands to dispatch, commands dropped (with reasons) and unknown types. */
export function decodePollBody(json: unknown): DecodedPollBody {
  const out: DecodedPollBody = { commands: [], dropped: [], skipped: [] };
  const problem = pollBodyProblem(json);
  if (problem !== undefined) {
    out.dropped.push({ reason: problem });
    return out;
  }
  for (const raw of (json as { commands: unknown[] }).commands) {
    const result = decodeCommand(raw);
    if (result.ok) out.commands.push(result.command);
    else if ('dropped' in result) out.dropped.push(result.dropped);
    else out.skipped.push(result.skipped);
  }
  return out;
}
