/**
 * What a command record says about a command and its answer, without keeping any payload:
 * the JSON-RPC method, the tool name, sizes, redacted headers and the outcome category.
 */
import { REDACTED, isSecretKey, redactText } from '../../observability/redact.js';
import type { ChannelOutcome } from '../channels/channel.js';
import type { HeaderMap, JsonObject, PolledCommand } from '../protocol/wire.js';
import type { CommandOutcomeKind, CommandRecord } from './types.js';

export interface CommandFacts {
  method?: string;
  toolName?: string;
  requestBytes: number;
  headers: HeaderMap;
}

function describeMessage(message: JsonObject): { method?: string; toolName?: string } {
  if (typeof message.method === 'string') {
    const params = message.params;
    if (message.method === 'tools/call' && params && typeof params === 'object') {
      const name = (params as JsonObject).name;
      if (typeof name === 'string') return { method: message.method, toolName: name };
    }
    return { method: message.method };
  }
  if ('result' in message || 'error' in message) return { method: 'response' };
  return {};
}

/** Byte size of a JSON value as serialized; 0 when it cannot be serialized. */
export function jsonBytes(value: unknown): number {
  if (value === undefined) return 0;
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '');
  } catch {
    return 0;
  }
}

/** Header names kept, values of secret-named headers masked, secret shapes removed from the rest. */
export function redactHeaders(headers: HeaderMap): HeaderMap {
  const out: HeaderMap = {};
  for (const [name, values] of Object.entries(headers)) {
    if (!Array.isArray(values)) continue;
    out[name] = isSecretKey(name) ? values.map(() => REDACTED) : values.map((v) => redactText(v));
  }
  return out;
}

export function commandFacts(command: PolledCommand): CommandFacts {
  const headers = redactHeaders(command.headers);
  if (command.command_type !== 'jsonrpc') return { requestBytes: 0, headers };
  return { ...describeMessage(command.jsonrpc), requestBytes: jsonBytes(command.jsonrpc), headers };
}

/** `ok`, `mcp_error` or `failure` for a posted terminal answer. */
export function answeredOutcome(outcome: ChannelOutcome): CommandOutcomeKind {
  if (outcome.kind === 'failure') return 'failure';
  if (outcome.kind === 'jsonrpc' && outcome.message.error !== undefined) return 'mcp_error';
  return 'ok';
}

/** What was posted as the terminal answer. */
export interface AnswerFacts {
  status: number;
  outcome: ChannelOutcome;
  /** UTF-8 size of the serialized `resp_json` (known from the POST body; 0 without one). */
  responseBytes: number;
}

export interface RecordInput {
  command: PolledCommand;
  kind: CommandOutcomeKind;
  startedAt: number;
  queueMs: number;
  mcpMs: number;
  postMs: number;
  notifyPostFailed: boolean;
  answer: AnswerFacts | undefined;
}

export function buildRecord(input: RecordInput): CommandRecord {
  const { command, answer } = input;
  const record: CommandRecord = {
    requestId: command.request_id,
    channel: command.channel,
    commandType: command.command_type,
    ...commandFacts(command),
    startedAt: input.startedAt,
    queueMs: input.queueMs,
    mcpMs: input.mcpMs,
    postMs: input.postMs,
    status: answer?.status,
    outcome: input.kind,
    notifyPostFailed: input.notifyPostFailed,
    responseBytes: answer ? answer.responseBytes : 0,
  };
  if (answer?.outcome.kind === 'failure') record.failureSource = answer.outcome.failure.source;
  return record;
}
