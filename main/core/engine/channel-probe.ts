/**
 * End-to-end MCP probe of one channel, so readiness follows the data path and not only the
 * control plane (the reference client's /readyz stays green while every call fails: #46).
 * stdio and in-memory channels answer `ping` without a session; an HTTP server gets a real
 * `initialize` whose session is then ended with DELETE.
 */
import type { Channel, ChannelOutcome } from './channels/channel.js';

export interface ProbeResult {
  ok: boolean;
  /** Wall-clock ms. */
  at: number;
  message: string;
}

const PROBE_CLIENT = { name: 'mcp-tunnel-probe', version: '1' };

export async function probeChannel(
  channel: Channel,
  options: { timeoutMs?: number; now?: () => number } = {},
): Promise<ProbeResult> {
  const now = options.now ?? Date.now;
  const signal = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const base = { headers: {}, signal, notify: () => undefined };
  try {
    if (channel.transport !== 'streamable-http') {
      const outcome = await channel.send({
        ...base,
        requestId: 'probe',
        message: { jsonrpc: '2.0', id: 'mcp-tunnel-probe', method: 'ping' },
      });
      return verdict(outcome, now(), 'ping answered');
    }
    const outcome = await channel.send({
      ...base,
      requestId: 'probe',
      message: {
        jsonrpc: '2.0',
        id: 'mcp-tunnel-probe',
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: PROBE_CLIENT },
      },
    });
    const result = verdict(outcome, now(), 'initialize answered');
    const session = outcome.kind === 'jsonrpc' ? outcome.headers['Mcp-Session-Id']?.[0] : undefined;
    if (session) {
      await channel
        .terminateSession({ requestId: 'probe-end', headers: { 'Mcp-Session-Id': [session] }, signal })
        .catch(() => undefined);
    }
    return result;
  } catch (err) {
    return { ok: false, at: now(), message: `probe failed: ${(err as Error).name}` };
  }
}

function verdict(outcome: ChannelOutcome, at: number, okMessage: string): ProbeResult {
  if (outcome.kind === 'failure') {
    const f = outcome.failure;
    const detail = f.upstream_status ? `HTTP ${f.upstream_status}` : (f.transport_error_kind ?? f.source);
    return { ok: false, at, message: `MCP server unreachable (${f.source}: ${detail})` };
  }
  if (outcome.kind === 'jsonrpc') {
    const error = outcome.message.error as { code?: number; message?: string } | undefined;
    if (error)
      return {
        ok: false,
        at,
        message: `MCP server answered an error (${error.code ?? '?'}: ${String(error.message ?? '').slice(0, 120)})`,
      };
    if (outcome.status >= 400)
      return { ok: false, at, message: `MCP server answered HTTP ${outcome.status}` };
    return { ok: true, at, message: okMessage };
  }
  return { ok: false, at, message: `unexpected answer (${outcome.kind} ${outcome.status})` };
}
