/**
 * A misbehaving Streamable HTTP MCP server behind the real engine and relay, reached through
 * the fault proxy: 5xx answers, malformed JSON, SSE streams dropped before the response, and
 * network faults on the engine → server leg (resets, half-open, truncation, latency). Every
 * call gets one acceptable outcome (never another call's result), the planted secret header
 * never reaches a log, and calls flow again once the fault stops.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpMcpServer, type HttpMcpServer } from '../fixtures/http-mcp-server.js';
import { httpChannel } from './fault-channels.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { closeRigs, startRig, type Rig } from './reliability-rig.js';

interface HttpRig {
  rig: Rig;
  mcp: HttpMcpServer;
  upstream: FaultProxy;
  session: string;
}

const opened: HttpRig[] = [];

afterEach(async () => {
  await closeRigs();
  for (const h of opened.splice(0)) {
    await h.upstream.close();
    await h.mcp.close();
  }
});

async function httpRig(): Promise<HttpRig> {
  const mcp = await startHttpMcpServer();
  const upstream = await startFaultProxy({ port: mcp.port });
  const rig = await startRig({
    proxy: false,
    responseTimeoutMs: 2_000,
    channels: (log, canary) => [httpChannel('main', `${upstream.url}/mcp`, log, canary)],
  });
  const h = { rig, mcp, upstream, session: await rig.caller.initialize() };
  opened.push(h);
  return h;
}

async function finish(h: HttpRig): Promise<string[]> {
  const violations = await h.rig.finish(async () => {
    await h.upstream.close();
    await h.mcp.close();
  });
  opened.splice(opened.indexOf(h), 1);
  return violations;
}

describe('reliability: HTTP MCP server faults', () => {
  it('5xx, malformed JSON and dropped SSE streams become well-formed JSON-RPC errors; then results again', async () => {
    const h = await httpRig();
    const { rig, mcp, session } = h;
    mcp.failNext({ kind: 'status', status: 503, body: 'overloaded' }, 2);
    mcp.failNext({ kind: 'status', status: 500, body: '{"not":"jsonrpc"}', contentType: 'application/json' });
    mcp.failNext({ kind: 'malformed-json' }, 2);
    mcp.failNext({ kind: 'drop-sse' }, 2);
    mcp.failNext({ kind: 'drop-sse', clean: true });
    const outcomes = [];
    for (let i = 0; i < 8; i++) outcomes.push(await rig.caller.echo(undefined, { sessionId: session }));
    expect(outcomes.map((o) => o.kind)).toEqual(Array(8).fill('rpc_error'));
    expect(new Set(outcomes.map((o) => (o.kind === 'rpc_error' ? o.code : 0)))).toEqual(new Set([-32603]));
    expect((await rig.caller.echo(undefined, { sessionId: session })).kind).toBe('result');
    expect(await finish(h)).toEqual([]);
  });

  it('network faults on the engine → server leg: resets, truncation, latency, half-open; one outcome per call, then recovery', async () => {
    const h = await httpRig();
    const { rig, upstream, session } = h;
    let n = 0;
    upstream.setPolicy(() => {
      n++;
      if (n % 3 === 0) return { kind: 'reset', upBytes: 100 + n * 13 };
      if (n % 3 === 1) return { kind: 'truncate', downBytes: 80 + n * 17 };
      return { kind: 'pass' };
    });
    upstream.setLatency(15);
    upstream.resetAll();
    const faulty = await Promise.all(
      Array.from({ length: 10 }, () => rig.caller.echo(undefined, { sessionId: session })),
    );
    for (const o of faulty) expect(['result', 'rpc_error']).toContain(o.kind);
    upstream.setPolicy(() => ({ kind: 'half-open' }));
    upstream.resetAll();
    const stuck = await Promise.all([
      rig.caller.echo(undefined, { sessionId: session }),
      rig.caller.echo(undefined, { sessionId: session }),
    ]);
    for (const o of stuck) expect(o.kind).toBe('timeout');
    upstream.heal();
    upstream.resetAll();
    await rig.recovered({ sessionId: session });
    expect((await rig.caller.echo(undefined, { sessionId: session })).kind).toBe('result');
    expect(upstream.stats().byKind.truncate + upstream.stats().byKind.reset).toBeGreaterThan(2);
    expect(await finish(h)).toEqual([]);
  });
});
