import { describe, expect, it } from 'vitest';
import {
  http,
  mcpHeaders,
  mcpPost,
  poll,
  pollersReady,
  relayForTest,
  respond,
  startPoller,
  touchConnected,
  type WireCommand,
} from './relay-harness.js';

const AFFINITY = JSON.stringify({ version: 1, channels: [{ name: 'main', proc_affinity: true }] });
const A = 'a'.repeat(32);
const B = 'b'.repeat(32);

describe('several tunnel clients on one tunnel', () => {
  it('delivers every command to exactly one poller', async () => {
    const relay = await relayForTest();
    const byInstance = new Map<string, string[]>();
    const pollers = [1, 2, 3].map((n) =>
      startPoller(
        relay,
        (cmd, instance) => {
          byInstance.set(instance, [...(byInstance.get(instance) ?? []), cmd.request_id]);
          return [
            {
              resp_type: 'jsonrpc_response',
              resp_code: 200,
              resp_json: { jsonrpc: '2.0', id: cmd.jsonrpc!['id'], result: { by: instance } },
            },
          ];
        },
        { instanceId: String(n).repeat(32), limit: 2 },
      ),
    );
    await pollersReady(relay, 3);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, id) =>
        mcpPost(relay, { jsonrpc: '2.0', id, method: 'tools/list' }, { accept: 'application/json' }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(60).fill(200));
    expect(results.map((r) => (r.json as { id: number }).id)).toEqual(
      Array.from({ length: 60 }, (_, i) => i),
    );
    const all = pollers.flatMap((p) => p.seen.map((c) => c.request_id));
    expect(all).toHaveLength(60);
    expect(new Set(all).size).toBe(60);
    expect([...byInstance.values()].flat()).toHaveLength(60);
  });

  it('pins a session to the instance that served its initialize, and answers 404 -32001 when that instance is gone', async () => {
    const relay = await relayForTest({ maxPollHoldMs: 100, clientStaleMs: 400 });
    const handler = (cmd: WireCommand, instance: string) => {
      const id = cmd.jsonrpc?.['id'];
      if (cmd.jsonrpc?.['method'] === 'initialize')
        return [
          {
            resp_type: 'jsonrpc_response',
            resp_code: 200,
            resp_json: { jsonrpc: '2.0', id, result: { by: instance } },
            resp_headers: { 'Mcp-Session-Id': [`session-of-${instance}`] },
          },
        ];
      if (cmd.command_type === 'session_termination')
        return [{ resp_type: 'session_termination_response', resp_code: 204 }];
      return [
        {
          resp_type: 'jsonrpc_response',
          resp_code: 200,
          resp_json: { jsonrpc: '2.0', id, result: { by: instance } },
        },
      ];
    };
    const stopA = new AbortController();
    const a = startPoller(relay, handler, {
      instanceId: A,
      info: AFFINITY,
      signal: stopA.signal,
      timeoutMs: 100,
    });
    await pollersReady(relay, 1);
    // Only A polls: initialize goes to A and the session is pinned to A.
    const init = await mcpPost(
      relay,
      { jsonrpc: '2.0', id: 0, method: 'initialize', params: {} },
      { accept: 'application/json' },
    );
    expect(init.json).toEqual({ jsonrpc: '2.0', id: 0, result: { by: A } });
    const session = String(init.headers['mcp-session-id']);
    expect(session).toBe(`session-of-${A}`);

    const b = startPoller(relay, handler, { instanceId: B, info: AFFINITY, timeoutMs: 100 });
    await pollersReady(relay, 2);
    const calls = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        mcpPost(
          relay,
          { jsonrpc: '2.0', id: i + 1, method: 'tools/call' },
          { accept: 'application/json', 'mcp-session-id': session },
        ),
      ),
    );
    for (const res of calls) expect((res.json as { result: { by: string } }).result.by).toBe(A);
    // Unpinned work is shared: B takes commands without a session.
    const free = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        mcpPost(relay, { jsonrpc: '2.0', id: 100 + i, method: 'ping' }, { accept: 'application/json' }),
      ),
    );
    expect(free.every((r) => r.status === 200)).toBe(true);
    expect(b.seen.some((c) => !c.headers['Mcp-Session-Id'])).toBe(true);
    expect(b.seen.some((c) => c.headers['Mcp-Session-Id']?.[0] === session)).toBe(false);

    // A stops polling; once it is stale, the session is gone: 404 with JSON-RPC -32001.
    stopA.abort();
    await a.stopped;
    await new Promise((r) => setTimeout(r, 550));
    const lost = await mcpPost(
      relay,
      { jsonrpc: '2.0', id: 77, method: 'tools/list' },
      { accept: 'application/json', 'mcp-session-id': session },
    );
    expect(lost.status).toBe(404);
    expect(lost.json).toEqual({
      jsonrpc: '2.0',
      id: 77,
      error: { code: -32001, message: 'Session not found' },
    });
    // A fresh initialize lands on B and works.
    const again = await mcpPost(
      relay,
      { jsonrpc: '2.0', id: 78, method: 'initialize', params: {} },
      { accept: 'application/json' },
    );
    expect(again.json).toEqual({ jsonrpc: '2.0', id: 78, result: { by: B } });
    const del = await http(relay.mcpUrl, {
      method: 'DELETE',
      headers: { ...mcpHeaders(relay), 'mcp-session-id': `session-of-${B}` },
    });
    expect(del.status).toBe(204);
  });

  it('does not pin sessions on channels without proc_affinity', async () => {
    const relay = await relayForTest();
    await touchConnected(relay, { instanceId: A });
    const init = mcpPost(
      relay,
      { jsonrpc: '2.0', id: 0, method: 'initialize' },
      { accept: 'application/json' },
    );
    const first = (await poll(relay, { instanceId: A, limit: 1 })).json as { commands: WireCommand[] };
    const cmd = first.commands[0]!;
    await respond(relay, cmd.shard_token, {
      request_id: cmd.request_id,
      resp_code: 200,
      resp_json: { jsonrpc: '2.0', id: 0, result: {} },
      resp_headers: { 'Mcp-Session-Id': ['s'] },
    });
    await init;
    const next = mcpPost(
      relay,
      { jsonrpc: '2.0', id: 1, method: 'x' },
      { accept: 'application/json', 'mcp-session-id': 's' },
    );
    const byB = await poll(relay, { instanceId: B, limit: 1, timeoutMs: 2000 });
    expect(byB.status).toBe(200);
    const c = (byB.json as { commands: WireCommand[] }).commands[0]!;
    await respond(relay, c.shard_token, {
      request_id: c.request_id,
      resp_code: 200,
      resp_json: { jsonrpc: '2.0', id: 1, result: {} },
    });
    expect((await next).status).toBe(200);
  });
});
