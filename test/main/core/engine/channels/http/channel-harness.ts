/** Shared helpers for the HTTP channel tests: build requests, collect notifications, check failures. */
import { expect } from 'vitest';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import type { Channel, ChannelOutcome } from '../../../../../../main/core/engine/channels/channel.js';
import type { HeaderMap, JsonObject } from '../../../../../../main/core/engine/protocol/wire.js';
import { tunnelFailureErrors } from '../../../../../support/openapi.js';

export interface CallResult {
  outcome: ChannelOutcome;
  notes: JsonObject[];
}

let seq = 0;

export function call(
  channel: Channel,
  message: JsonObject,
  headers: HeaderMap = {},
  signal: AbortSignal = new AbortController().signal,
  onNotify?: (m: JsonObject) => void,
): Promise<CallResult> & { notes: JsonObject[] } {
  const notes: JsonObject[] = [];
  const promise = channel
    .send({
      requestId: `req_${++seq}`,
      message,
      headers,
      signal,
      notify: (m) => {
        notes.push(m);
        onNotify?.(m);
      },
    })
    .then((outcome) => ({ outcome, notes }));
  return Object.assign(promise, { notes });
}

export const initializeMessage = (id: number | string = 1): JsonObject => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: {
    protocolVersion: LATEST_PROTOCOL_VERSION,
    capabilities: { sampling: {} },
    clientInfo: { name: 'http-channel-test', version: '1.0.0' },
  },
});

/** Initialize a session through the channel; returns the headers a client would send next. */
export async function openSession(channel: Channel): Promise<HeaderMap> {
  const { outcome } = await call(channel, initializeMessage());
  if (outcome.kind !== 'jsonrpc') throw new Error(`initialize failed: ${JSON.stringify(outcome)}`);
  const sid = outcome.headers['Mcp-Session-Id']?.[0];
  if (!sid) throw new Error('initialize returned no Mcp-Session-Id');
  const headers: HeaderMap = { 'Mcp-Session-Id': [sid], 'MCP-Protocol-Version': [LATEST_PROTOCOL_VERSION] };
  const ack = await call(channel, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  if (ack.outcome.kind !== 'ack')
    throw new Error(`notifications/initialized failed: ${JSON.stringify(ack.outcome)}`);
  return headers;
}

/** Assert a failure outcome and that its tunnel_failure validates against the wire contract. */
export function expectFailure(
  outcome: ChannelOutcome,
  expected: { source: string; kind: string; received: boolean; upstreamStatus?: number; status?: number },
): void {
  expect(outcome.kind).toBe('failure');
  if (outcome.kind !== 'failure') return;
  expect(tunnelFailureErrors(outcome.failure)).toBeNull();
  expect(outcome.failure.source).toBe(expected.source);
  expect(outcome.failure.transport_error_kind).toBe(expected.kind);
  expect(outcome.failure.upstream_response_received).toBe(expected.received);
  expect(outcome.failure.upstream_status).toBe(expected.upstreamStatus);
  expect(outcome.status).toBe(expected.status ?? 502);
  expect(outcome.reason).toBe(outcome.status === 504 ? 'Gateway Timeout' : 'Bad Gateway');
}

export function toolCall(id: number, name: string, args: JsonObject = {}, meta?: JsonObject): JsonObject {
  return {
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name, arguments: args, ...(meta && { _meta: meta }) },
  };
}
