/**
 * The MCP TypeScript SDK's Streamable HTTP client against the front door, with an in-test
 * tunnel client scripted as a tiny MCP server: initialize (session id via resp_headers),
 * the initialized notification (202), tools/list, tools/call with progress over SSE, DELETE.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { EmptyResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { pollersReady, relayForTest, startPoller, type Reply, type WireCommand } from './relay-harness.js';

const SESSION = 'sdk-session-1';

function scriptedServer(cmd: WireCommand): Reply[] {
  if (cmd.command_type === 'session_termination')
    return [{ resp_type: 'session_termination_response', resp_code: 204 }];
  const msg = cmd.jsonrpc!;
  const id = msg['id'];
  const result = (value: unknown, headers?: Record<string, string[]>): Reply => ({
    resp_type: 'jsonrpc_response',
    resp_code: 200,
    resp_json: { jsonrpc: '2.0', id, result: value },
    ...(headers ? { resp_headers: headers } : {}),
  });
  switch (msg['method']) {
    case 'initialize':
      return [
        result(
          {
            protocolVersion: (msg['params'] as { protocolVersion: string }).protocolVersion,
            capabilities: { tools: {} },
            serverInfo: { name: 'scripted', version: '1.0.0' },
          },
          { 'Mcp-Session-Id': [SESSION], 'Content-Type': ['text/event-stream'] },
        ),
      ];
    case 'notifications/initialized':
      return [{ resp_type: 'notify_ack', resp_code: 202 }];
    case 'tools/list':
      return [result({ tools: [{ name: 'count', inputSchema: { type: 'object' } }] })];
    case 'tools/call': {
      const token = (msg['params'] as { _meta?: { progressToken?: string | number } })._meta?.progressToken;
      const progress = [1, 2].map((n): Reply => ({
        resp_type: 'jsonrpc_notify',
        resp_code: 200,
        resp_json: {
          jsonrpc: '2.0',
          method: 'notifications/progress',
          params: { progressToken: token, progress: n, total: 2 },
        },
      }));
      return [...progress, result({ content: [{ type: 'text', text: 'counted' }] })];
    }
    default:
      return [
        {
          resp_type: 'jsonrpc_response',
          resp_code: 200,
          resp_json: { jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } },
        },
      ];
  }
}

describe('SDK StreamableHTTPClientTransport through the front door', () => {
  it('initializes, lists and calls tools with progress, and terminates the session', async () => {
    const relay = await relayForTest();
    const { seen } = startPoller(relay, scriptedServer);
    await pollersReady(relay);
    const transport = new StreamableHTTPClientTransport(new URL(relay.mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${relay.connectorToken}` } },
    });
    const client = new Client({ name: 'relay-test', version: '1.0.0' });
    await client.connect(transport);
    expect(transport.sessionId).toBe(SESSION);
    expect(client.getServerVersion()).toEqual({ name: 'scripted', version: '1.0.0' });

    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toEqual(['count']);

    const progress: number[] = [];
    const called = await client.callTool({ name: 'count', arguments: {} }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    expect(called.content).toEqual([{ type: 'text', text: 'counted' }]);
    expect(progress).toEqual([1, 2]);

    await expect(client.request({ method: 'nope/nothing' }, EmptyResultSchema)).rejects.toThrow(
      /Method not found/,
    );

    await transport.terminateSession();
    await client.close();

    const kinds = seen.map((c) =>
      c.command_type === 'jsonrpc' ? String(c.jsonrpc!['method']) : c.command_type,
    );
    expect(kinds).toEqual([
      'initialize',
      'notifications/initialized',
      'tools/list',
      'tools/call',
      'nope/nothing',
      'session_termination',
    ]);
    for (const cmd of seen.slice(1)) expect(cmd.headers['Mcp-Session-Id']).toEqual([SESSION]);
    for (const cmd of seen) {
      expect(Object.keys(cmd.headers).map((h) => h.toLowerCase())).not.toContain('authorization');
      expect(JSON.stringify(cmd)).not.toContain(relay.connectorToken);
    }
  });
});
