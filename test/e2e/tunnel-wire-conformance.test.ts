/**
 * The relay's control-plane answers, as the real engine sees them, validate against
 * openapi.json: a recording proxy sits between engine and relay while SDK clients drive real
 * MCP traffic (initialize, calls, progress, sampling, errors, DELETE) through a stdio and an
 * HTTP channel; every recorded answer (and every engine request) is checked. A handful of error
 * answers is then provoked directly with undici against the same relay. Throughout, the
 * caller's connector token never travels past the front door: not in a polled command, not at
 * the MCP server.
 */
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedRelay } from '../../main/core/relay/embedded.js';
import { startHttpMcpServer, type HttpMcpServer } from '../fixtures/http-mcp-server.js';
import { stdioFixture } from '../main/core/engine/scenarios/stdio-fixture.js';
import { requestProblems, responseProblems } from '../support/openapi.js';
import { outcomeOf } from './support/mcp-compare.js';
import { startRecordingProxy, type Exchange, type RecordingProxy } from './support/recording-proxy.js';
import { E2eHarness, waitUntil, type RunningEngine } from './support/tunnel-harness.js';

const e2e = new E2eHarness();
let relay: EmbeddedRelay;
let proxy: RecordingProxy;
let upstream: HttpMcpServer;
let engine: RunningEngine;

const parse = (text: string): unknown => (text === '' ? undefined : (JSON.parse(text) as unknown));
const pathOf = (url: string): string => url.split('?')[0] ?? url;

beforeAll(async () => {
  upstream = await startHttpMcpServer();
  e2e.track(() => upstream.close());
  const fixture = stdioFixture('main');
  e2e.track(async () => fixture.cleanup());
  relay = await e2e.relay();
  proxy = await startRecordingProxy(relay.controlPlaneUrl);
  e2e.track(() => proxy.close());
  // Short polls, so empty (204) answers are part of the recorded traffic.
  engine = await e2e.engine(relay, [fixture.config, { name: 'web', kind: 'http', url: upstream.url }], {
    controlPlaneUrl: proxy.url,
    pollTimeoutMs: 200,
  });

  for (const url of [relay.mcpUrl, `${relay.mcpUrl}/web`]) {
    const { client, transport } = await e2e.client(
      url,
      relay.connectorToken,
      { capabilities: { sampling: {} } },
      (c) =>
        c.setRequestHandler(CreateMessageRequestSchema, () => ({
          role: 'assistant',
          model: 'e2e',
          content: { type: 'text', text: 'yes' },
        })),
    );
    await client.listTools();
    await client.callTool({ name: 'echo', arguments: { text: 'wire' } });
    await client.callTool({ name: 'progress', arguments: { steps: 2 } }, undefined, {
      onprogress: () => undefined,
    });
    await client.callTool(
      url === relay.mcpUrl
        ? { name: 'sample', arguments: { question: 'ok?' } }
        : { name: 'sample', arguments: { prompt: 'ok?' } },
    );
    await outcomeOf(() => client.readResource({ uri: 'fixture://unknown' }));
    await transport.terminateSession();
  }
  // Let at least one long poll run out empty, then stop the engine so the record is complete.
  await waitUntil(
    () => proxy.exchanges.some((x) => x.status === 204),
    'an empty (204) poll answer through the proxy',
  );
  await engine.stop();
});

afterAll(() => e2e.cleanup());

describe('the relay as the real engine sees it', () => {
  it('answers every engine request with a documented status and a valid body', () => {
    const exchanges = proxy.exchanges;
    const kinds = new Set(
      exchanges.map(
        (x) => `${x.method} ${pathOf(x.url).split('/').slice(4).join('/') || 'meta'} ${x.status}`,
      ),
    );
    expect([...kinds].sort()).toEqual(
      expect.arrayContaining(['GET meta 200', 'GET poll 200', 'GET poll 204', 'POST response 200']),
    );
    const problems = exchanges.flatMap((x: Exchange) => [
      ...responseProblems(x.method, pathOf(x.url), x.status, parse(x.responseBody)).map(
        (p) => `${x.method} ${x.url} → ${x.status}: ${p}`,
      ),
      ...requestProblems({
        method: x.method,
        url: x.url,
        headers: x.requestHeaders,
        body: parse(x.requestBody),
      }).map((p) => `engine ${x.method} ${x.url}: ${p}`),
    ]);
    expect(problems).toEqual([]);
  });

  it('carried every kind of response the engine posts', () => {
    const respTypes = new Set(
      proxy.exchanges
        .filter((x) => x.method === 'POST')
        .map((x) => (parse(x.requestBody) as { resp_type: string }).resp_type),
    );
    expect([...respTypes].sort()).toEqual([
      'jsonrpc_notify',
      'jsonrpc_response',
      'notify_ack',
      'session_termination_response',
    ]);
  });

  it('never forwards the connector token: not in polled commands, not to the MCP server', () => {
    const polled = proxy.exchanges
      .filter((x) => x.status === 200 && pathOf(x.url).endsWith('/poll'))
      .flatMap(
        (x) => (parse(x.responseBody) as { commands: { headers: Record<string, string[]> }[] }).commands,
      );
    expect(polled.length).toBeGreaterThan(10);
    for (const command of polled) {
      expect(Object.keys(command.headers).map((h) => h.toLowerCase())).not.toContain('authorization');
    }
    for (const x of proxy.exchanges) {
      expect(x.responseBody).not.toContain(relay.connectorToken);
      expect(x.requestBody).not.toContain(relay.connectorToken);
      expect(JSON.stringify(x.requestHeaders)).not.toContain(relay.connectorToken);
    }
    expect(upstream.requests.length).toBeGreaterThan(5);
    for (const r of upstream.requests) {
      expect(r.headers.authorization).toBeUndefined();
      expect(JSON.stringify(r.rawHeaders)).not.toContain(relay.connectorToken);
    }
  });
});

describe('the relay answering undici directly', () => {
  const control = (path: string): string => `${relay.controlPlaneUrl}/v1/tunnels/${relay.tunnelId}${path}`;
  const auth = (key = relay.runtimeKey): Record<string, string> => ({
    authorization: `Bearer ${key}`,
    accept: 'application/json',
  });

  async function exchange(
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<{ status: number; body: unknown; problems: string[] }> {
    const res = await request(url, { method, headers, body });
    const parsed = parse(await res.body.text());
    return {
      status: res.statusCode,
      body: parsed,
      problems: responseProblems(method, new URL(url).pathname, res.statusCode, parsed),
    };
  }

  it('serves documented statuses and bodies for polls and responses, good and bad', async () => {
    const json = { ...auth(), 'content-type': 'application/json' };
    const results = {
      meta: await exchange('GET', control(''), auth()),
      empty: await exchange('GET', control('/poll?limit=1&timeout_ms=1'), auth()),
      wrongKey: await exchange(
        'GET',
        control('/poll?limit=1&timeout_ms=1'),
        auth('mcpt_rk_not-the-key-at-all'),
      ),
      badLimit: await exchange('GET', control('/poll?limit=99&timeout_ms=1'), auth()),
      badId: await exchange(
        'GET',
        `${relay.controlPlaneUrl}/v1/tunnels/not-a-tunnel/poll?limit=1&timeout_ms=1`,
        auth(),
      ),
      unknownRequest: await exchange(
        'POST',
        control('/response'),
        { ...json, 'x-tunnel-shard-token': 'st_unknown' },
        JSON.stringify({
          request_id: 'req_unknown',
          channel: 'main',
          resp_type: 'notify_ack',
          resp_code: 202,
        }),
      ),
      badBody: await exchange(
        'POST',
        control('/response'),
        { ...json, 'x-tunnel-shard-token': 'st_x' },
        '{"nope":',
      ),
    };
    expect(Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r.status]))).toEqual({
      meta: 200,
      empty: 204,
      wrongKey: 401,
      badLimit: 400,
      badId: 400,
      unknownRequest: 404,
      badBody: 400,
    });
    expect(results.unknownRequest.body).toMatchObject({ error: { code: 'pending_request_not_found' } });
    for (const [name, r] of Object.entries(results)) expect(r.problems, name).toEqual([]);
  });

  it('round-trips a front-door request through a hand-driven poll and response, all valid', async () => {
    const instance = { 'x-tunnel-client-instance-id': 'e'.repeat(32) };
    const pending = request(relay.mcpUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${relay.connectorToken}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'x1', method: 'ping' }),
    });
    const polled = await exchange('GET', control('/poll?limit=5&timeout_ms=2000'), {
      ...auth(),
      ...instance,
    });
    expect(polled.status).toBe(200);
    expect(polled.problems).toEqual([]);
    const [command] = (
      polled.body as { commands: { request_id: string; shard_token: string; headers: object }[] }
    ).commands;
    expect(command).toBeDefined();
    expect(JSON.stringify(command!.headers)).not.toContain(relay.connectorToken);
    const answer = JSON.stringify({
      request_id: command!.request_id,
      channel: 'main',
      resp_type: 'jsonrpc_response',
      resp_code: 200,
      resp_json: { jsonrpc: '2.0', id: 'x1', result: {} },
    });
    const headers = { ...auth(), 'content-type': 'application/json' };
    const mismatch = await exchange(
      'POST',
      control('/response'),
      { ...headers, 'x-tunnel-shard-token': 'st_wrong' },
      answer,
    );
    expect(mismatch).toMatchObject({
      status: 401,
      body: { error: { code: 'tunnel_request_mismatch' } },
      problems: [],
    });
    const accepted = await exchange(
      'POST',
      control('/response'),
      { ...headers, 'x-tunnel-shard-token': command!.shard_token },
      answer,
    );
    expect(accepted).toMatchObject({ status: 200, body: { status: 'ok' }, problems: [] });
    const again = await exchange(
      'POST',
      control('/response'),
      { ...headers, 'x-tunnel-shard-token': command!.shard_token },
      answer,
    );
    expect(again).toMatchObject({ status: 404, problems: [] });
    const caller = await pending;
    expect(caller.statusCode).toBe(200);
    expect(await caller.body.json()).toEqual({ jsonrpc: '2.0', id: 'x1', result: {} });
  });
});
