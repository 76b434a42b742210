import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createControlPlaneClient,
  type ControlPlaneClientOptions,
  type HttpControlPlaneClient,
} from '../../../../../main/core/engine/control-plane/http-client.js';
import { ControlPlaneError } from '../../../../../main/core/engine/control-plane/errors.js';
import { LogHub } from '../../../../../main/core/observability/logger.js';
import { buildServerInfo } from '../../../../../main/core/engine/protocol/server-info.js';
import {
  apiError,
  FakeControlPlane,
  jsonrpcCommand,
  sessionTerminationCommand,
} from '../../../../fakes/fake-control-plane.js';
import { freePort, withTimeout } from './loopback.js';
import { ManualClock } from './manual-clock.js';

const API_KEY = 'sk-proj-canary-poll-0123456789abcdef';
const SERVER_INFO = buildServerInfo([
  { name: 'main', procAffinity: true },
  { name: 'web', procAffinity: false },
]);
const fixture = JSON.parse(
  readFileSync(new URL('../../../../fixtures/protocol/poll_command_envelope.json', import.meta.url), 'utf8'),
) as { commands: Array<Record<string, unknown>> };

let cp: FakeControlPlane | undefined;
const clients: HttpControlPlaneClient[] = [];
const errors: unknown[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await cp?.close();
  cp = undefined;
  for (const e of errors.splice(0)) {
    expect(String((e as Error).message)).not.toContain(API_KEY);
    expect(JSON.stringify(e)).not.toContain(API_KEY);
  }
});

async function setup(
  fakeOptions: Parameters<typeof FakeControlPlane.start>[0] = {},
  clientOptions: Partial<ControlPlaneClientOptions> = {},
): Promise<{ cp: FakeControlPlane; client: HttpControlPlaneClient; clock: ManualClock }> {
  cp = await FakeControlPlane.start({ apiKey: API_KEY, ...fakeOptions });
  const clock = new ManualClock();
  const client = createControlPlaneClient({
    baseUrl: cp.baseUrl,
    tunnelId: cp.tunnelId,
    apiKey: API_KEY,
    clientVersion: '0.1.0-test',
    serverInfo: SERVER_INFO,
    clock,
    ...(fakeOptions.pathPrefix ? { pathPrefix: fakeOptions.pathPrefix } : {}),
    ...clientOptions,
  });
  clients.push(client);
  return { cp, client, clock };
}

async function rejection(promise: Promise<unknown>): Promise<ControlPlaneError> {
  try {
    await promise;
  } catch (error) {
    errors.push(error);
    expect(error).toBeInstanceOf(ControlPlaneError);
    return error as ControlPlaneError;
  }
  throw new Error('expected the call to fail');
}

const signal = (): AbortSignal => new AbortController().signal;

describe('createControlPlaneClient: requests', () => {
  it('sends every identity header on every request, and every request is valid per openapi.json', async () => {
    const { cp, client } = await setup();
    cp.pushCommands(jsonrpcCommand({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { requestId: 'r1' }));
    await client.getTunnel(signal());
    await client.poll({ limit: 5, timeoutMs: 50, signal: signal() });
    await client.poll({ limit: 5, timeoutMs: 20, signal: signal() }); // held → 204
    await client.respond(
      {
        request_id: 'r1',
        channel: 'main',
        resp_json: { jsonrpc: '2.0', id: 1, result: {} },
        resp_code: 200,
        resp_type: 'jsonrpc_response',
      },
      { shardToken: 'shard:r1', kind: 'terminal', signal: signal() },
    );
    expect(cp.calls.map((c) => c.kind)).toEqual(['tunnel', 'poll', 'poll', 'response']);
    expect(cp.problems()).toEqual([]);
    for (const call of cp.calls) {
      expect(call.headers).toMatchObject({
        authorization: `Bearer ${API_KEY}`,
        accept: 'application/json',
        'x-tunnel-client-name': 'mcp-tunnel',
        'x-tunnel-client-version': '0.1.0-test',
        'x-tunnel-client-instance-id': client.instanceId,
        'x-tunnel-mcp-server-info': SERVER_INFO,
      });
      expect(call.headers['user-agent']).toMatch(/^mcp-tunnel\/0\.1\.0-test /);
    }
    expect(client.instanceId).toMatch(/^[0-9a-f]{32}$/);
    const post = cp.responsePosts()[0]!;
    expect(post.headers['x-tunnel-shard-token']).toBe('shard:r1');
    expect(post.headers['content-type']).toBe('application/json');
    expect(post.headers['x-client-request-id']).toBeTypeOf('string');
  });

  it('honours a path prefix before /v1', async () => {
    const { cp, client } = await setup({ pathPrefix: '/proxy' });
    await client.getTunnel(signal());
    await client.poll({ limit: 1, timeoutMs: 10, signal: signal() });
    expect(cp.calls.map((c) => c.path)).toEqual([
      `/proxy/v1/tunnels/${cp.tunnelId}`,
      `/proxy/v1/tunnels/${cp.tunnelId}/poll`,
    ]);
    expect(cp.problems()).toEqual([]);
  });

  it('clamps limit to 1..25, sends timeout_ms, and adds a sorted channel allowlist', async () => {
    const { cp, client } = await setup({}, { channelAllowlist: ['web', 'main'] });
    await client.poll({ limit: 100, timeoutMs: 10, signal: signal() });
    await client.poll({ limit: 0, timeoutMs: 10, signal: signal() });
    const queries = cp.polls().map((c) => c.query);
    expect(queries.map((q) => q.get('limit'))).toEqual(['25', '1']);
    expect(queries[0]!.get('timeout_ms')).toBe('10');
    expect(queries[0]!.getAll('channel')).toEqual(['main', 'web']);
    expect(cp.problems()).toEqual([]);
  });

  it('reads tunnel metadata and ignores extra fields', async () => {
    const { client, cp } = await setup({
      tunnel: { name: 'Prod', description: 'd', created_at: 1, owner: 'x' },
    });
    expect(await client.getTunnel(signal())).toEqual({ id: cp.tunnelId, name: 'Prod', description: 'd' });
  });

  it('reuses keep-alive connections for sequential requests', async () => {
    const { cp, client } = await setup();
    for (let i = 0; i < 20; i++) await client.getTunnel(signal());
    expect(cp.connectionsAccepted).toBeLessThanOrEqual(2);
  });
});

describe('poll', () => {
  it('returns nothing on 204', async () => {
    const { cp, client, clock } = await setup();
    cp.enqueuePoll({ status: 204 });
    clock.nowMs = 4_242;
    expect(await client.poll({ limit: 10, timeoutMs: 1_000, signal: signal() })).toEqual({
      receivedAt: 4_242,
      commands: [],
      dropped: [],
      skipped: [],
    });
  });

  it('decodes the shared fixture from a 200', async () => {
    const { cp, client } = await setup();
    cp.enqueuePoll({ status: 200, body: fixture });
    const result = await client.poll({ limit: 10, timeoutMs: 1_000, signal: signal() });
    expect(result.commands.map((c) => [c.request_id, c.command_type, c.channel])).toEqual([
      ['cmd_fixture_jsonrpc', 'jsonrpc', 'harpoon'],
      ['cmd_fixture_session_end', 'session_termination', 'main'],
    ]);
  });

  it('wakes a held poll when commands arrive, and returns more than limit when the server sends more', async () => {
    const { cp, client } = await setup();
    const pending = client.poll({ limit: 2, timeoutMs: 5_000, signal: signal() });
    await cp.waitForPolls(1);
    cp.pushCommands(
      jsonrpcCommand({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      sessionTerminationCommand('s-1'),
      jsonrpcCommand({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    );
    expect((await pending).commands).toHaveLength(2);
    expect(cp.pendingCommands).toBe(1);
    const batch = Array.from({ length: 30 }, (_, i) =>
      jsonrpcCommand({ jsonrpc: '2.0', id: i, method: 'ping' }),
    );
    cp.enqueuePoll({ commands: batch });
    expect((await client.poll({ limit: 1, timeoutMs: 100, signal: signal() })).commands).toHaveLength(30);
  });

  it('skips unknown types and drops invalid commands, logging each once without dispatching', async () => {
    const hub = new LogHub({ level: 'debug' });
    const { cp, client } = await setup({}, { logger: hub.logger('engine') });
    cp.enqueuePoll({
      status: 200,
      body: {
        commands: [
          { request_id: 'r-x', command_type: 'future_kind', shard_token: 's', created_at: 'now' },
          { request_id: 'r-bad', shard_token: 's', created_at: 'now', jsonrpc: [] },
          jsonrpcCommand(
            { jsonrpc: '2.0', id: 1, method: 'ping' },
            { requestId: 'r-ok', headers: { A: ['1', '2'] } },
          ),
        ],
      },
    });
    const result = await client.poll({ limit: 10, timeoutMs: 100, signal: signal() });
    expect(result.commands.map((c) => c.request_id)).toEqual(['r-ok']);
    expect(result.commands[0]!.headers).toEqual({ A: ['1', '2'] });
    expect(result.skipped).toEqual([{ requestId: 'r-x', commandType: 'future_kind' }]);
    expect(result.dropped).toEqual([{ requestId: 'r-bad', reason: 'jsonrpc is not a JSON object' }]);
    const logged = hub.entries().map((e) => [e.level, e.fields?.requestId]);
    expect(logged).toEqual([
      ['warn', 'r-bad'],
      ['warn', 'r-x'],
    ]);
  });

  it('stamps receivedAt when the headers arrive, before the body is read', async () => {
    const { cp, client, clock } = await setup();
    let clientSawHeaders!: () => void;
    const headersSeen = new Promise<void>((resolve) => (clientSawHeaders = resolve));
    const realNow = clock.now.bind(clock);
    clock.now = () => {
      const value = realNow();
      if (value === 500) clientSawHeaders();
      return value;
    };
    cp.enqueuePoll({
      status: 200,
      body: { commands: [jsonrpcCommand({ jsonrpc: '2.0', id: 1, method: 'ping' })] },
      beforeBody: async () => {
        clock.nowMs = 500; // headers are on the wire now
        await withTimeout(headersSeen, 'the client to read the clock when the headers arrived');
        clock.nowMs = 9_000; // the body arrives much later
      },
    });
    const result = await client.poll({ limit: 1, timeoutMs: 1_000, signal: signal() });
    expect(result.receivedAt).toBe(500);
    expect(result.commands).toHaveLength(1);
  });

  it('rejects with the signal reason when aborted while held', async () => {
    const { cp, client } = await setup();
    const controller = new AbortController();
    const pending = client.poll({ limit: 1, timeoutMs: 10_000, signal: controller.signal });
    await cp.waitForPolls(1);
    const reason = new Error('tunnel stopping');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await cp.waitFor(() => (cp.polls()[0]!.aborted ? true : undefined), 'the held poll to be dropped');
  });

  it.each([
    [401, 'tunnel_missing_principals', 'auth'],
    [403, 'tunnel_use_forbidden', 'auth'],
    [400, 'invalid_tunnel_id_format', 'bad_request'],
    [404, 'tunnel_not_found', 'bad_request'],
    [429, 'rate_limit_exceeded', 'rate_limited'],
    [500, null, 'unavailable'],
    [502, null, 'unavailable'],
    [503, 'tunnel_transport_unavailable', 'unavailable'],
    [302, null, 'protocol'],
  ] as const)('maps HTTP %i (%s) to %s with apiCode', async (status, apiCode, code) => {
    const { cp, client } = await setup();
    cp.enqueuePoll({ status, body: apiCode ? apiError(apiCode, 'nope') : undefined });
    const error = await rejection(client.poll({ limit: 1, timeoutMs: 100, signal: signal() }));
    expect(error).toMatchObject({ code, status });
    expect(error.apiCode).toBe(apiCode ?? undefined);
    if (apiCode) expect(error.message).toContain(apiCode);
  });

  it('says what to do on 401 (the fake rejects a wrong key), without the key, then recovers', async () => {
    const { cp, client } = await setup();
    cp.setApiKey('sk-proj-other-key-000000000000');
    const error = await rejection(client.poll({ limit: 1, timeoutMs: 100, signal: signal() }));
    expect(error.message).toMatch(
      /rejected the runtime API key \(tunnel_use_forbidden\).*CONTROL_PLANE_API_KEY/,
    );
    cp.setApiKey(API_KEY);
    cp.enqueuePoll({ status: 204 });
    await expect(client.poll({ limit: 1, timeoutMs: 100, signal: signal() })).resolves.toMatchObject({
      commands: [],
    });
  });

  it('parses Retry-After in seconds and as an HTTP-date (against the injected wall clock)', async () => {
    const { cp, client, clock } = await setup();
    cp.enqueuePoll(
      { status: 429, headers: { 'retry-after': '3' }, body: apiError('rate_limit_exceeded') },
      { status: 503, headers: { 'retry-after': new Date(clock.wallMs + 45_000).toUTCString() } },
      { status: 503, headers: { 'retry-after': 'later' } },
    );
    const poll = (): Promise<unknown> => client.poll({ limit: 1, timeoutMs: 100, signal: signal() });
    expect((await rejection(poll())).retryAfterMs).toBe(3_000);
    expect((await rejection(poll())).retryAfterMs).toBe(45_000);
    expect((await rejection(poll())).retryAfterMs).toBeUndefined();
  });

  it.each([
    ['not JSON', { status: 200, rawBody: 'hello' }],
    ['a JSON array', { status: 200, body: [] }],
    ['no commands array', { status: 200, body: { items: [] } }],
    ['an unexpected 2xx', { status: 201, body: { commands: [] } }],
  ])('turns a 200 with %s into a protocol error', async (_label, reply) => {
    const { cp, client } = await setup();
    cp.enqueuePoll(reply);
    expect(await rejection(client.poll({ limit: 1, timeoutMs: 100, signal: signal() }))).toMatchObject({
      code: 'protocol',
    });
  });

  it('refuses a poll body larger than the limit', async () => {
    const { cp, client } = await setup({}, { maxPollBodyBytes: 1_000 });
    cp.enqueuePoll({
      commands: Array.from({ length: 50 }, (_, i) =>
        jsonrpcCommand({ jsonrpc: '2.0', id: i, method: 'ping' }),
      ),
    });
    const error = await rejection(client.poll({ limit: 1, timeoutMs: 100, signal: signal() }));
    expect(error).toMatchObject({ code: 'protocol' });
    expect(error.message).toMatch(/larger than 1000 bytes/);
  });

  it('reports a refused connection as a network error that was never written', async () => {
    const port = await freePort();
    const client = createControlPlaneClient({
      baseUrl: `http://127.0.0.1:${port}`,
      tunnelId: 'tunnel_x',
      apiKey: API_KEY,
      clientVersion: '1',
      serverInfo: SERVER_INFO,
    });
    clients.push(client);
    const error = await rejection(client.poll({ limit: 1, timeoutMs: 100, signal: signal() }));
    expect(error).toMatchObject({ code: 'network', requestWritten: false });
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain(`http://127.0.0.1:${port}`);
  });
});

describe('configuration errors', () => {
  it('refuses an empty key or one with a line break, without echoing it', () => {
    const base = { tunnelId: 't', clientVersion: '1', serverInfo: SERVER_INFO };
    expect(() => createControlPlaneClient({ ...base, apiKey: ' ' })).toThrow(/CONTROL_PLANE_API_KEY/);
    try {
      createControlPlaneClient({ ...base, apiKey: `${API_KEY}\r\nX-Evil: 1` });
      throw new Error('should have thrown');
    } catch (error) {
      expect((error as Error).message).toMatch(/line break/);
      expect((error as Error).message).not.toContain(API_KEY);
    }
  });
});
