import { describe, expect, it } from 'vitest';
import { responseProblems, schemaErrors } from '../../../support/openapi.js';
import {
  http,
  mcpPost,
  poll,
  pollHeaders,
  pollUrl,
  relayForTest,
  respond,
  touchConnected,
  waitFor,
  type HttpResult,
  type WireCommand,
} from './relay-harness.js';

const POLL = '/v1/tunnels/x/poll';
const RESPONSE = '/v1/tunnels/x/response';

function valid(method: string, path: string, res: HttpResult): void {
  expect(responseProblems(method, path, res.status, res.json)).toEqual([]);
}

async function queueOne(relay: Awaited<ReturnType<typeof relayForTest>>, message: object) {
  await touchConnected(relay);
  const pending = mcpPost(relay, message, { accept: 'application/json' });
  const res = await poll(relay, { limit: 1 });
  valid('GET', POLL, res);
  const cmd = (res.json as { commands: WireCommand[] }).commands[0]!;
  return { pending, cmd };
}

describe('GET /v1/tunnels/{id}', () => {
  it('returns the metadata with the runtime key and 403 tunnel_use_forbidden otherwise', async () => {
    const relay = await relayForTest({ tunnelName: 'Demo' });
    const url = `${relay.controlPlaneUrl}/v1/tunnels/${relay.tunnelId}`;
    const ok = await http(url, { headers: pollHeaders(relay) });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ id: relay.tunnelId, name: 'Demo', description: '' });
    expect(schemaErrors('TunnelClientMetadata', ok.json)).toBeNull();
    valid('GET', '/v1/tunnels/x', ok);

    for (const [target, auth] of [
      [url, 'Bearer mcpt_rk_wrong'],
      [url, ''],
      [`${relay.controlPlaneUrl}/v1/tunnels/not-a-tunnel`, `Bearer ${relay.runtimeKey}`],
      [`${relay.controlPlaneUrl}/v1/tunnels/tunnel_${'0'.repeat(32)}`, `Bearer ${relay.runtimeKey}`],
      [url, `Bearer ${relay.connectorToken}`],
    ] as const) {
      const res = await http(target, { headers: auth ? { authorization: auth } : {} });
      expect(res.status).toBe(403);
      expect((res.json as { error: { code: string } }).error.code).toBe('tunnel_use_forbidden');
      valid('GET', '/v1/tunnels/x', res);
    }
  });
});

describe('GET /v1/tunnels/{id}/poll', () => {
  it('rejects a malformed id (400), a bad key (401) and bad parameters (400), all per the contract', async () => {
    const relay = await relayForTest();
    const base = `${relay.controlPlaneUrl}/v1/tunnels`;
    const cases: Array<[string, Record<string, string>, number, string | null]> = [
      [`${base}/tunnel_SHORT/poll`, pollHeaders(relay), 400, 'invalid_tunnel_id_format'],
      [pollUrl(relay), { authorization: 'Bearer mcpt_rk_nope' }, 401, 'tunnel_use_forbidden'],
      [pollUrl(relay), {}, 401, 'tunnel_use_forbidden'],
      [`${base}/tunnel_${'1'.repeat(32)}/poll`, pollHeaders(relay), 401, 'tunnel_use_forbidden'],
      [`${base}/${relay.tunnelId}/poll?limit=0`, pollHeaders(relay), 400, null],
      [`${base}/${relay.tunnelId}/poll?limit=26`, pollHeaders(relay), 400, null],
      [`${base}/${relay.tunnelId}/poll?limit=abc`, pollHeaders(relay), 400, null],
      [`${base}/${relay.tunnelId}/poll?timeout_ms=0`, pollHeaders(relay), 400, null],
      [`${base}/${relay.tunnelId}/poll?timeout_ms=-5`, pollHeaders(relay), 400, null],
      [`${base}/${relay.tunnelId}/poll?channel=Bad!`, pollHeaders(relay), 400, 'invalid_channel_format'],
    ];
    for (const [url, headers, status, code] of cases) {
      const res = await http(url, { headers });
      expect(res.status, url).toBe(status);
      expect((res.json as { error: { code: string | null } }).error.code).toBe(code);
      valid('GET', POLL, res);
    }
  });

  it('holds an empty poll until timeout_ms and answers 204', async () => {
    const relay = await relayForTest();
    const res = await poll(relay, { timeoutMs: 50 });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    valid('GET', POLL, res);
  });

  it('clamps the hold to maxPollHoldMs', async () => {
    const relay = await relayForTest({ maxPollHoldMs: 30 });
    const res = await poll(relay, { timeoutMs: 600_000 });
    expect(res.status).toBe(204);
  });

  it('wakes a held poll as soon as a command arrives', async () => {
    const relay = await relayForTest();
    const held = poll(relay, { timeoutMs: 20_000, limit: 5 });
    await waitFor(() => relay.relay.tunnels.list().length === 1, 'tunnel');
    // The held poll makes the tunnel "connected" for the front door.
    const caller = mcpPost(relay, { jsonrpc: '2.0', id: 1, method: 'ping' }, { accept: 'application/json' });
    const res = await held;
    expect(res.status).toBe(200);
    valid('GET', POLL, res);
    const cmd = (res.json as { commands: WireCommand[] }).commands[0]!;
    expect(cmd.jsonrpc).toEqual({ jsonrpc: '2.0', id: 1, method: 'ping' });
    await respond(relay, cmd.shard_token, {
      request_id: cmd.request_id,
      channel: cmd.channel,
      resp_code: 200,
      resp_type: 'jsonrpc_response',
      resp_json: { jsonrpc: '2.0', id: 1, result: {} },
    });
    expect((await caller).json).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
  });

  it('returns queued commands in batches of at most limit, each well-formed', async () => {
    const relay = await relayForTest({ responseTimeoutMs: 90_000 });
    await touchConnected(relay);
    const callers = [1, 2, 3, 4, 5].map((id) =>
      mcpPost(relay, { jsonrpc: '2.0', id, method: 'tools/list' }, { accept: 'application/json' }).catch(
        () => undefined,
      ),
    );
    await waitFor(() => relay.relay.tunnels.list().length > 0, 'tunnel');
    await new Promise((r) => setTimeout(r, 50));
    const first = await poll(relay, { limit: 3 });
    const second = await poll(relay, { limit: 3 });
    valid('GET', POLL, first);
    valid('GET', POLL, second);
    const a = (first.json as { commands: WireCommand[] }).commands;
    const b = (second.json as { commands: WireCommand[] }).commands;
    expect(a).toHaveLength(3);
    expect(b).toHaveLength(2);
    const ids = [...a, ...b].map((c) => c.jsonrpc!['id']).sort();
    expect(ids).toEqual([1, 2, 3, 4, 5]);
    for (const cmd of [...a, ...b]) {
      expect(schemaErrors('JsonRpcPolledCommand', cmd)).toBeNull();
      expect(cmd.request_id).toMatch(/^req_[A-Za-z0-9_-]{22}$/);
      expect(cmd.command_type).toBe('jsonrpc');
      expect(cmd.channel).toBe('main');
      expect(new Date(cmd.created_at).toISOString()).toBe(cmd.created_at);
      expect(cmd.response_timeout).toMatch(/^\d+(ms|s)$/);
      expect(Number.parseInt(cmd.response_timeout!, 10)).toBeLessThanOrEqual(90_000);
    }
    expect(new Set([...a, ...b].map((c) => c.shard_token)).size).toBe(5);
    void callers;
  });

  it('rate-limits polls per tunnel with 429 rate_limit_exceeded and Retry-After', async () => {
    const relay = await relayForTest({ pollRatePerSecond: 1, pollRateBurst: 2 });
    expect((await poll(relay, { timeoutMs: 1 })).status).toBe(204);
    expect((await poll(relay, { timeoutMs: 1 })).status).toBe(204);
    const limited = await poll(relay, { timeoutMs: 1 });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect((limited.json as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');
    valid('GET', POLL, limited);
  });

  it('releases held polls with 204 when the relay closes', async () => {
    const relay = await relayForTest();
    const held = poll(relay, { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 30));
    await relay.close();
    expect((await held).status).toBe(204);
  });
});

describe('POST /v1/tunnels/{id}/response', () => {
  it('accepts the terminal response once (200 {status:"ok"}), then 404 pending_request_not_found', async () => {
    const relay = await relayForTest();
    const { pending, cmd } = await queueOne(relay, { jsonrpc: '2.0', id: 'x', method: 'tools/list' });
    const payload = {
      request_id: cmd.request_id,
      channel: 'main',
      resp_code: 200,
      resp_type: 'jsonrpc_response',
      resp_json: { jsonrpc: '2.0', id: 'x', result: { tools: [] } },
      resp_headers: { 'Content-Type': ['application/json'] },
    };
    expect(schemaErrors('TunnelResponsePayload', payload)).toBeNull();
    const ok = await respond(relay, cmd.shard_token, payload);
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ status: 'ok' });
    expect(schemaErrors('TunnelResponseAck', ok.json)).toBeNull();
    valid('POST', RESPONSE, ok);
    expect((await pending).json).toEqual(payload.resp_json);

    const again = await respond(relay, cmd.shard_token, payload);
    expect(again.status).toBe(404);
    expect((again.json as { error: { code: string } }).error.code).toBe('pending_request_not_found');
    valid('POST', RESPONSE, again);

    const unknown = await respond(relay, cmd.shard_token, { ...payload, request_id: 'req_never' });
    expect(unknown.status).toBe(404);
    valid('POST', RESPONSE, unknown);
  });

  it('rejects malformed payloads with 400 and delivers nothing', async () => {
    const relay = await relayForTest({ responseTimeoutMs: 2000 });
    const { pending, cmd } = await queueOne(relay, { jsonrpc: '2.0', id: 7, method: 'tools/list' });
    const base = {
      request_id: cmd.request_id,
      channel: 'main',
      resp_code: 200,
      resp_type: 'jsonrpc_response',
    };
    const bad: Array<[unknown, string | null]> = [
      [{ ...base, resp_type: 'jsonrpc_surprise' }, null],
      [{ ...base, extra: true }, null],
      [{ ...base, resp_code: '200' }, null],
      [{ ...base, resp_code: 200.5 }, null],
      [{ ...base, request_id: 5 }, null],
      [{ ...base, resp_json: [1] }, null],
      [{ ...base, resp_headers: { a: 'b' } }, null],
      [{ ...base, channel: 'Not Valid' }, 'invalid_channel_format'],
      ['not json', 'invalid_json_payload'],
      ['[1,2]', 'invalid_json_payload'],
    ];
    for (const [body, code] of bad) {
      const res = await respond(relay, cmd.shard_token, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((res.json as { error: { code: string | null } }).error.code).toBe(code);
      valid('POST', RESPONSE, res);
    }
    // Still pending: a valid terminal response completes it; resp_type defaults to jsonrpc_response.
    const ok = await respond(relay, cmd.shard_token, {
      request_id: cmd.request_id,
      resp_code: 200,
      resp_json: { jsonrpc: '2.0', id: 7, result: {} },
    });
    expect(ok.status).toBe(200);
    expect((await pending).json).toEqual({ jsonrpc: '2.0', id: 7, result: {} });
  });

  it('rejects a missing or wrong shard token or another channel with 401 tunnel_request_mismatch', async () => {
    const relay = await relayForTest();
    const { pending, cmd } = await queueOne(relay, { jsonrpc: '2.0', id: 1, method: 'ping' });
    const payload = {
      request_id: cmd.request_id,
      channel: 'main',
      resp_code: 200,
      resp_type: 'jsonrpc_response',
      resp_json: { x: 1 },
    };
    for (const [token, body] of [
      [undefined, payload],
      ['st_wrong', payload],
      [`${cmd.shard_token}x`, payload],
      [cmd.shard_token, { ...payload, channel: 'other' }],
    ] as const) {
      const res = await respond(relay, token, body);
      expect(res.status).toBe(401);
      expect((res.json as { error: { code: string } }).error.code).toBe('tunnel_request_mismatch');
      valid('POST', RESPONSE, res);
    }
    const ok = await respond(relay, cmd.shard_token, {
      ...payload,
      resp_json: { jsonrpc: '2.0', id: 1, result: {} },
    });
    expect(ok.status).toBe(200);
    expect((await pending).json).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
  });

  it('rejects a body over maxResponseBytes with 413 request_body_too_large', async () => {
    const relay = await relayForTest({ maxResponseBytes: 1024 });
    const { cmd } = await queueOne(relay, { jsonrpc: '2.0', id: 1, method: 'ping' });
    const res = await respond(relay, cmd.shard_token, {
      request_id: cmd.request_id,
      resp_code: 200,
      resp_json: { pad: 'x'.repeat(4096) },
    });
    expect(res.status).toBe(413);
    expect((res.json as { error: { code: string } }).error.code).toBe('request_body_too_large');
    valid('POST', RESPONSE, res);
  });

  it('rejects bad ids and keys like the poll', async () => {
    const relay = await relayForTest();
    const body = { request_id: 'req_x', resp_code: 200 };
    const badId = await respond(relay, 'st', body, { tunnelId: 'tunnel_bad' });
    expect(badId.status).toBe(400);
    valid('POST', RESPONSE, badId);
    const badKey = await respond(relay, 'st', body, { key: 'mcpt_rk_nope' });
    expect(badKey.status).toBe(401);
    expect((badKey.json as { error: { code: string } }).error.code).toBe('tunnel_use_forbidden');
    valid('POST', RESPONSE, badKey);
  });
});

describe('deadlines', () => {
  it('answers the caller 504 when no terminal response arrives in time; a late response gets 404', async () => {
    const relay = await relayForTest({ responseTimeoutMs: 150 });
    const { pending, cmd } = await queueOne(relay, { jsonrpc: '2.0', id: 1, method: 'slow' });
    const res = await pending;
    expect(res.status).toBe(504);
    expect((res.json as { error: { code: string } }).error.code).toBe('tunnel_response_timeout');
    const late = await respond(relay, cmd.shard_token, {
      request_id: cmd.request_id,
      resp_code: 200,
      resp_json: {},
    });
    expect(late.status).toBe(404);
    valid('POST', RESPONSE, late);
  });

  it('expires a command nobody polled: 504, and it is never delivered afterwards', async () => {
    const relay = await relayForTest({ responseTimeoutMs: 100 });
    await touchConnected(relay);
    const res = await mcpPost(relay, { jsonrpc: '2.0', id: 1, method: 'x' }, { accept: 'application/json' });
    expect(res.status).toBe(504);
    expect((await poll(relay, { timeoutMs: 20 })).status).toBe(204);
  });
});
