/** Helpers shared by the stream-channel tests (stdio, in-memory): talk to a Channel like the dispatcher does. */
import { readFileSync, existsSync } from 'node:fs';
import type { Channel, ChannelOutcome } from '../../../../../../main/core/engine/channels/channel.js';
import type { JsonObject } from '../../../../../../main/core/engine/protocol/wire.js';

export interface RpcOptions {
  session?: string;
  signal?: AbortSignal;
  notes?: JsonObject[];
  onNotify?: (message: JsonObject) => void;
}

let seq = 0;

export function rpc(
  channel: Pick<Channel, 'send'>,
  message: JsonObject,
  options: RpcOptions = {},
): Promise<ChannelOutcome> {
  return channel.send({
    requestId: `req_${++seq}`,
    message,
    headers: options.session ? { 'Mcp-Session-Id': [options.session] } : {},
    signal: options.signal ?? new AbortController().signal,
    notify: (m) => {
      options.notes?.push(m);
      options.onNotify?.(m);
    },
  });
}

export function initializeMessage(
  id: string | number,
  capabilities: JsonObject = { sampling: {} },
): JsonObject {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: {
      protocolVersion: '2025-06-18',
      capabilities,
      clientInfo: { name: 'channel-test', version: '1.0.0' },
    },
  };
}

/** initialize + notifications/initialized; returns the minted session id. */
export async function openSession(channel: Channel, id: string | number = 0): Promise<string> {
  const outcome = await rpc(channel, initializeMessage(id));
  if (outcome.kind !== 'jsonrpc' || !('result' in outcome.message)) {
    throw new Error(`initialize failed: ${JSON.stringify(outcome)}`);
  }
  const session = outcome.headers['Mcp-Session-Id']?.[0];
  if (!session) throw new Error('initialize did not mint a session id');
  const ack = await rpc(channel, { jsonrpc: '2.0', method: 'notifications/initialized' }, { session });
  if (ack.kind !== 'ack') throw new Error(`initialized was not acked: ${JSON.stringify(ack)}`);
  return session;
}

export function toolCall(id: string | number, name: string, args: JsonObject, meta?: JsonObject): JsonObject {
  const params: JsonObject = { name, arguments: args };
  if (meta) params._meta = meta;
  return { jsonrpc: '2.0', id, method: 'tools/call', params };
}

/** The text of the first content item of a tools/call result outcome. */
export function resultText(outcome: ChannelOutcome): string {
  if (outcome.kind !== 'jsonrpc')
    throw new Error(`expected a jsonrpc outcome, got ${JSON.stringify(outcome)}`);
  const result = outcome.message.result as { content?: { text?: string }[] } | undefined;
  const text = result?.content?.[0]?.text;
  if (typeof text !== 'string') throw new Error(`no text in ${JSON.stringify(outcome.message)}`);
  return text;
}

export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface FixtureEvent {
  event: string;
  pid?: number;
  child?: number;
  method?: string;
  id?: unknown;
  params?: JsonObject;
}

export function readEvents(file: string): FixtureEvent[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as FixtureEvent);
}

/** Alive per `process.kill(pid, 0)`, counting a zombie (state Z in /proc) as dead. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
