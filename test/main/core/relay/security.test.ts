import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { responseProblems } from '../../../support/openapi.js';
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

function rawWithHost(url: string, host: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { ...headers, host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end('{"jsonrpc":"2.0","id":1,"method":"ping"}');
  });
}

describe('relay security', () => {
  it('rejects a wrong or missing connector token with 401 and WWW-Authenticate, and a runtime key in its place', async () => {
    const relay = await relayForTest();
    await touchConnected(relay);
    for (const auth of [
      'Bearer mcpt_ct_wrong',
      '',
      `Bearer ${relay.runtimeKey}`,
      `Basic ${relay.connectorToken}`,
    ]) {
      const headers = mcpHeaders(relay);
      if (auth) headers['authorization'] = auth;
      else delete headers['authorization'];
      const res = await http(relay.mcpUrl, {
        method: 'POST',
        headers,
        body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
      });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.text).not.toContain('mcpt_');
    }
    expect((await poll(relay, { timeoutMs: 10 })).status).toBe(204);
  });

  it('rejects a foreign Host and a foreign Origin with 403; allows its own origin with CORS', async () => {
    const relay = await relayForTest({ allowedOrigins: ['https://app.example'] });
    await touchConnected(relay);
    expect(await rawWithHost(relay.mcpUrl, 'evil.example', mcpHeaders(relay))).toBe(403);
    expect(await rawWithHost(relay.mcpUrl, `attacker.example:${relay.relay.port}`, mcpHeaders(relay))).toBe(
      403,
    );
    const foreign = await mcpPost(
      relay,
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { origin: 'https://evil.example' },
    );
    expect(foreign.status).toBe(403);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await http(relay.mcpUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example' },
    });
    expect(preflight.status).toBe(403);
    const metrics = await http(`${relay.controlPlaneUrl}/metrics`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(metrics.status).toBe(403);
    expect((await poll(relay, { timeoutMs: 10 })).status).toBe(204);

    startPoller(relay, (cmd) => [
      {
        resp_type: 'jsonrpc_response',
        resp_code: 200,
        resp_json: { jsonrpc: '2.0', id: cmd.jsonrpc!['id'], result: {} },
      },
    ]);
    await pollersReady(relay);
    const allowed = await mcpPost(
      relay,
      { jsonrpc: '2.0', id: 2, method: 'ping' },
      { origin: 'https://app.example' },
    );
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(allowed.headers['access-control-expose-headers']).toContain('Mcp-Session-Id');
    const own = await mcpPost(
      relay,
      { jsonrpc: '2.0', id: 3, method: 'ping' },
      { origin: relay.controlPlaneUrl },
    );
    expect(own.status).toBe(200);
  });

  it("keeps tunnels apart: B's key cannot poll, answer or read A; A's commands never reach B", async () => {
    const relay = await relayForTest();
    const b = await relay.relay.tunnels.create('B');
    const tunnelB = {
      ...relay,
      tunnelId: b.tunnelId,
      runtimeKey: b.runtimeKey,
      connectorToken: b.connectorToken,
      mcpUrl: b.mcpUrl,
    };
    const onA = { tunnelId: relay.tunnelId, key: b.runtimeKey };

    const meta = await http(`${relay.controlPlaneUrl}/v1/tunnels/${relay.tunnelId}`, {
      headers: { authorization: `Bearer ${b.runtimeKey}` },
    });
    expect(meta.status).toBe(403);
    const bPollsA = await poll(relay, onA);
    expect(bPollsA.status).toBe(401);
    expect(responseProblems('GET', '/v1/tunnels/x/poll', 401, bPollsA.json)).toEqual([]);
    // B's connector token on A's MCP URL.
    await touchConnected(relay);
    const crossCaller = await http(relay.mcpUrl, {
      method: 'POST',
      headers: { ...mcpHeaders(relay), authorization: `Bearer ${b.connectorToken}` },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    });
    expect(crossCaller.status).toBe(401);

    // A command queued on A; B's poller, polling its own tunnel, never sees it.
    const pendingA = mcpPost(
      relay,
      { jsonrpc: '2.0', id: 'a1', method: 'tools/list' },
      { accept: 'application/json' },
    );
    const bPoll = await poll(tunnelB, { timeoutMs: 100 });
    expect(bPoll.status).toBe(204);
    const aPoll = await poll(relay, { limit: 1 });
    const cmd = (aPoll.json as { commands: WireCommand[] }).commands[0]!;
    const payload = {
      request_id: cmd.request_id,
      resp_code: 200,
      resp_json: { jsonrpc: '2.0', id: 'a1', result: { leaked: true } },
    };
    // B answering A's request through B's own tunnel: unknown there (404), nothing delivered.
    const viaB = await respond(tunnelB, cmd.shard_token, payload);
    expect(viaB.status).toBe(404);
    expect(responseProblems('POST', '/v1/tunnels/x/response', 404, viaB.json)).toEqual([]);
    // B's key on A's response endpoint: 401.
    const keyB = await respond(relay, cmd.shard_token, payload, { key: b.runtimeKey });
    expect(keyB.status).toBe(401);
    // The rightful answer still completes A's caller.
    const ok = await respond(relay, cmd.shard_token, {
      ...payload,
      resp_json: { jsonrpc: '2.0', id: 'a1', result: {} },
    });
    expect(ok.status).toBe(200);
    expect((await pendingA).json).toEqual({ jsonrpc: '2.0', id: 'a1', result: {} });
  });

  it('rotating credentials revokes the old runtime key and connector token at once', async () => {
    const relay = await relayForTest();
    const rotated = await relay.relay.tunnels.rotateKey(relay.tunnelId);
    expect((await poll(relay, { timeoutMs: 1 })).status).toBe(401);
    expect((await poll(relay, { timeoutMs: 1, key: rotated.runtimeKey })).status).toBe(204);
    const old = await mcpPost(relay, { jsonrpc: '2.0', id: 1, method: 'ping' });
    expect(old.status).toBe(401);
  });

  it('never lets a deleted tunnel be used, and fails its in-flight callers', async () => {
    const relay = await relayForTest();
    await touchConnected(relay);
    const pending = mcpPost(relay, { jsonrpc: '2.0', id: 1, method: 'ping' }, { accept: 'application/json' });
    const cmd = (await poll(relay, { limit: 1 })).json as { commands: WireCommand[] };
    expect(await relay.relay.tunnels.delete(relay.tunnelId)).toBe(true);
    expect((await poll(relay, { timeoutMs: 1 })).status).toBe(401);
    expect((await pending).status).toBe(503);
    const late = await respond(relay, cmd.commands[0]!.shard_token, {
      request_id: cmd.commands[0]!.request_id,
      resp_code: 200,
    });
    expect(late.status).toBe(401);
  });
});
