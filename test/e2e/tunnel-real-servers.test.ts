/**
 * SDK client → relay front door → long poll → real engine → real MCP servers: the stdio test
 * server on channel `main` and the Streamable HTTP fixture on channel `web`
 * (`/v1/mcp/{tunnel_id}/web`). Initialize (session id reaches the client), tools/list, progress
 * over SSE, a sampling round trip, session DELETE, and errors passed through verbatim (compared
 * with the same server reached directly, without the tunnel).
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ListResourcesResultSchema,
  type CallToolResult,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedRelay } from '../../main/core/relay/embedded.js';
import { startHttpMcpServer, type HttpMcpServer } from '../fixtures/http-mcp-server.js';
import { stdioFixture, type StdioFixture } from '../main/core/engine/scenarios/stdio-fixture.js';
import { directHttpClient, directStdioClient, outcomeOf } from './support/mcp-compare.js';
import { E2eHarness, waitUntil, type RunningEngine } from './support/tunnel-harness.js';

const e2e = new E2eHarness();
let relay: EmbeddedRelay;
let engine: RunningEngine;
let upstream: HttpMcpServer;
let fixture: StdioFixture;

const samplingAnswer = (client: Client, text: string): void =>
  client.setRequestHandler(CreateMessageRequestSchema, (request) => {
    const first = request.params.messages[0]?.content;
    const asked = first && 'text' in first ? first.text : '?';
    return { role: 'assistant', model: 'e2e-model', content: { type: 'text', text: `${text} (${asked})` } };
  });

const textOf = (result: unknown): string => {
  const first = (result as CallToolResult).content[0];
  return first?.type === 'text' ? first.text : JSON.stringify(first);
};

beforeAll(async () => {
  upstream = await startHttpMcpServer();
  e2e.track(() => upstream.close());
  fixture = stdioFixture('main');
  e2e.track(async () => fixture.cleanup());
  relay = await e2e.relay();
  engine = await e2e.engine(relay, [fixture.config, { name: 'web', kind: 'http', url: upstream.url }]);
});

afterAll(() => e2e.cleanup());

describe('through the tunnel to a real stdio MCP server (channel main)', () => {
  it('initializes with a session id, lists and calls tools, streams progress, round-trips sampling', async () => {
    const { client, transport } = await e2e.client(
      relay.mcpUrl,
      relay.connectorToken,
      { capabilities: { sampling: {} } },
      (c) => samplingAnswer(c, 'forty-two'),
    );
    expect(transport.sessionId).toMatch(/^[0-9a-f]{32}$/);
    expect(client.getServerVersion()?.name).toBe('stdio-test-server');

    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(['echo', 'progress', 'sample', 'wait_forever', 'garbage']),
    );
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hello stdio' } }))).toBe(
      'hello stdio',
    );

    const progress: Progress[] = [];
    const done = await client.callTool({ name: 'progress', arguments: { steps: 3 } }, undefined, {
      onprogress: (p) => progress.push(p),
    });
    expect(textOf(done)).toBe('done 3');
    expect(progress).toEqual([
      { progress: 1, total: 3 },
      { progress: 2, total: 3 },
      { progress: 3, total: 3 },
    ]);

    const sampled = await client.callTool({ name: 'sample', arguments: { question: 'meaning?' } });
    expect(textOf(sampled)).toBe('model said: forty-two (meaning?)');
    // The child really received the caller's answer to its sampling request, through the relay.
    expect(
      fixture.events().some((e) => e.event === 'in' && e.method === undefined && e.id !== undefined),
    ).toBe(true);

    // What reached the stdio child came in on channel main; the web upstream saw none of it.
    expect(fixture.callsWithText('hello stdio')).toHaveLength(1);
    expect(upstream.requests.some((r) => r.body.includes('hello stdio'))).toBe(false);
    await waitUntil(() => engine.records.some((r) => r.method === 'response'), 'the sampling answer record');
    const mainMethods = engine.records.filter((r) => r.channel === 'main').map((r) => r.method);
    expect(mainMethods).toEqual(
      expect.arrayContaining([
        'initialize',
        'notifications/initialized',
        'tools/list',
        'tools/call',
        'response',
      ]),
    );
  });

  it('passes JSON-RPC errors and isError results through exactly as the server gives them', async () => {
    const { client } = await e2e.client(relay.mcpUrl, relay.connectorToken);
    const direct = await directStdioClient(fixture.config.argv, { FIXTURE_LOG: '/dev/null' });
    e2e.track(() => direct.close(), 'clients');

    // A method the server does not implement: a JSON-RPC error (-32601) from the server itself.
    const listResources = (c: Client) => () =>
      c.request({ method: 'resources/list' }, ListResourcesResultSchema);
    const viaTunnel = await outcomeOf(listResources(client));
    expect(viaTunnel).toMatchObject({ kind: 'mcp_error', code: -32601 });
    expect(viaTunnel).toEqual(await outcomeOf(listResources(direct)));

    // Tool-level failures: isError results, same content both ways.
    for (const call of [
      { name: 'no_such_tool', arguments: {} },
      { name: 'echo', arguments: { text: 42 } },
    ]) {
      const tunnelled = await outcomeOf(() => client.callTool(call));
      expect(tunnelled).toMatchObject({ kind: 'result', value: { isError: true } });
      expect(tunnelled).toEqual(await outcomeOf(() => direct.callTool(call)));
    }
  });

  it('ends the session with DELETE (the stdio channel answers 405, which the client accepts)', async () => {
    const { transport } = await e2e.client(relay.mcpUrl, relay.connectorToken);
    const session = transport.sessionId;
    expect(session).toBeDefined();
    await transport.terminateSession();
    expect(transport.sessionId).toBeUndefined();
    // The record's headers are redacted (session ids count as secrets), so match on the channel.
    await waitUntil(
      () => engine.records.some((r) => r.commandType === 'session_termination' && r.channel === 'main'),
      'the session_termination record',
    );
    const termination = engine.records.find((r) => r.commandType === 'session_termination');
    expect(termination).toMatchObject({ channel: 'main', status: 405 });
  });
});

describe('through the tunnel to a real Streamable HTTP MCP server (channel web)', () => {
  const webUrl = (): string => `${relay.mcpUrl}/web`;

  it('initializes with the server’s own session id, lists and calls tools, streams progress, samples', async () => {
    const { client, transport } = await e2e.client(
      webUrl(),
      relay.connectorToken,
      { capabilities: { sampling: {} } },
      (c) => samplingAnswer(c, 'over http'),
    );
    // The upstream server minted the id; it reached the client unchanged.
    expect(upstream.sessionIds()).toContain(transport.sessionId);
    expect(client.getServerVersion()?.name).toBe('http-fixture');
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(['echo', 'progress', 'sample', 'fail', 'slow']),
    );
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hello http' } }))).toBe(
      'hello http',
    );

    const progress: Progress[] = [];
    const done = await client.callTool({ name: 'progress', arguments: { steps: 4 } }, undefined, {
      onprogress: (p) => progress.push(p),
    });
    expect(textOf(done)).toBe('done after 4 steps');
    expect(progress.map((p) => p.progress)).toEqual([1, 2, 3, 4]);

    const sampled = await client.callTool({ name: 'sample', arguments: { prompt: 'ping' } });
    expect(textOf(sampled)).toBe('sampled: over http (ping)');

    expect(upstream.requests.filter((r) => r.body.includes('hello http'))).toHaveLength(1);
    const webMethods = engine.records.filter((r) => r.channel === 'web').map((r) => r.method);
    expect(webMethods).toEqual(
      expect.arrayContaining(['initialize', 'tools/list', 'tools/call', 'response']),
    );
    // Channel main's child never saw this session's traffic.
    expect(fixture.events().some((e) => e.params?.arguments?.text === 'hello http')).toBe(false);
  });

  it('passes JSON-RPC errors and isError results through exactly as the server gives them', async () => {
    const { client } = await e2e.client(webUrl(), relay.connectorToken);
    const direct = await directHttpClient(upstream.url);
    e2e.track(() => direct.close(), 'clients');

    const readUnknown = (c: Client) => () => c.readResource({ uri: 'fixture://unknown' });
    const viaTunnel = await outcomeOf(readUnknown(client));
    expect(viaTunnel).toMatchObject({ kind: 'mcp_error', code: -32602 });
    expect(viaTunnel).toEqual(await outcomeOf(readUnknown(direct)));

    const failed = await outcomeOf(() => client.callTool({ name: 'fail', arguments: {} }));
    expect(failed).toMatchObject({ kind: 'result', value: { isError: true } });
    expect(failed).toEqual(await outcomeOf(() => direct.callTool({ name: 'fail', arguments: {} })));
  });

  it('ends the session with DELETE upstream; the old session then answers 404', async () => {
    const { transport } = await e2e.client(webUrl(), relay.connectorToken);
    const session = transport.sessionId!;
    expect(upstream.sessionIds()).toContain(session);
    const deletesBefore = upstream.count('DELETE');
    await transport.terminateSession();
    expect(upstream.count('DELETE')).toBe(deletesBefore + 1);
    expect(upstream.requests.filter((r) => r.method === 'DELETE').at(-1)?.headers['mcp-session-id']).toBe(
      session,
    );
    expect(upstream.sessionIds()).not.toContain(session);

    // Reuse the ended session id: the upstream's 404 reaches the client (it must re-initialize).
    const stale = new StreamableHTTPClientTransport(new URL(webUrl()), {
      sessionId: session,
      requestInit: { headers: { Authorization: `Bearer ${relay.connectorToken}` } },
    });
    e2e.track(() => stale.close());
    await stale.start();
    const answer = await outcomeOf(() => stale.send({ jsonrpc: '2.0', id: 7, method: 'tools/list' }));
    expect(answer).toEqual({ kind: 'http_error', status: 404 });
    // …and a client that re-initializes works again.
    const { client: again } = await e2e.client(webUrl(), relay.connectorToken);
    expect((await again.listTools()).tools.length).toBeGreaterThan(0);
  });

  it('never forwards the caller’s Authorization (the connector token) to the MCP server', () => {
    expect(upstream.requests.length).toBeGreaterThan(5);
    for (const request of upstream.requests) {
      expect(request.headers.authorization).toBeUndefined();
      expect(JSON.stringify(request.rawHeaders)).not.toContain(relay.connectorToken);
    }
  });
});
