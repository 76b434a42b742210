/** The scripted fake control plane itself: what other suites rely on must hold. */
import { afterEach, describe, expect, it } from 'vitest';
import { createControlPlaneClient } from '../../../../../main/core/engine/control-plane/http-client.js';
import type { ResponsePayload } from '../../../../../main/core/engine/protocol/wire.js';
import {
  FakeControlPlane,
  jsonrpcCommand,
  sessionTerminationCommand,
} from '../../../../fakes/fake-control-plane.js';

let cp: FakeControlPlane | undefined;
afterEach(async () => {
  await cp?.close();
  cp = undefined;
});

const payload = (requestId: string, respType: ResponsePayload['resp_type']): ResponsePayload => ({
  request_id: requestId,
  channel: 'main',
  resp_code: 200,
  resp_type: respType,
  ...(respType === 'notify_ack' ? {} : { resp_json: { jsonrpc: '2.0', id: 1, result: {} } }),
});

describe('FakeControlPlane', () => {
  it('builds valid commands of both types with unique ids', async () => {
    cp = await FakeControlPlane.start();
    const a = jsonrpcCommand({ jsonrpc: '2.0', id: 1, method: 'ping' }, { responseTimeout: '30s' });
    const b = sessionTerminationCommand('sess-1');
    expect(a.request_id).not.toBe(b.request_id);
    expect(b.headers).toEqual({ 'Mcp-Session-Id': ['sess-1'] });
    expect(a.response_timeout).toBe('30s');
  });

  it('answers response POSTs by rule, and lets tests await the Nth POST and a terminal', async () => {
    cp = await FakeControlPlane.start({ apiKey: 'k-123456789' });
    const client = createControlPlaneClient({
      baseUrl: cp.baseUrl,
      tunnelId: cp.tunnelId,
      apiKey: 'k-123456789',
      clientVersion: '1',
      serverInfo: '{"version":1,"channels":[{"name":"main"}]}',
      respondBackoff: { baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1, maxAttempts: 3 },
    });
    try {
      cp.scriptResponsesFor({ requestId: 'b', kind: 'terminal' }, { status: 503 });
      cp.scriptResponsesFor({ respType: 'jsonrpc_notify' }, { status: 429 });
      const signal = new AbortController().signal;
      const terminalB = cp.waitForTerminal('b');
      await client.respond(payload('a', 'jsonrpc_notify'), { shardToken: 's', kind: 'notify', signal });
      await client.respond(payload('b', 'jsonrpc_response'), { shardToken: 's', kind: 'terminal', signal });
      await client.respond(payload('c', 'notify_ack'), { shardToken: 's', kind: 'terminal', signal });
      expect((await terminalB).replyStatus).toBe(200);
      expect((await cp.waitForResponsePost(1)).replyStatus).toBe(429);
      expect(cp.responsePosts().map((c) => c.replyStatus)).toEqual([429, 200, 503, 200, 200]);
      expect(cp.responsesFor('b')).toHaveLength(2);
      expect(cp.problems()).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('fails a wait with a message naming what was awaited and what was seen', async () => {
    cp = await FakeControlPlane.start();
    await expect(cp.waitForTerminal('nope', 50)).rejects.toThrow(
      /timed out after 50 ms waiting for an accepted terminal response for request_id nope; saw no requests/,
    );
  });

  it('holds a poll until timeout_ms and then answers 204; forgets a poll whose client hung up', async () => {
    cp = await FakeControlPlane.start();
    const url = `${cp.baseUrl}/v1/tunnels/${cp.tunnelId}/poll?limit=1&timeout_ms=30`;
    expect((await fetch(url)).status).toBe(204);
    const controller = new AbortController();
    const held = fetch(`${url.replace('timeout_ms=30', 'timeout_ms=60000')}`, { signal: controller.signal });
    await cp.waitForPolls(2);
    controller.abort();
    await expect(held).rejects.toThrow();
    await cp.waitFor(() => (cp!.polls()[1]!.aborted ? true : undefined), 'the aborted poll');
    cp.pushCommands(jsonrpcCommand({ jsonrpc: '2.0', id: 1, method: 'ping' }));
    expect(cp.pendingCommands).toBe(1);
  });

  it('problems() reports requests that break the contract', async () => {
    cp = await FakeControlPlane.start();
    await fetch(`${cp.baseUrl}/v1/tunnels/${cp.tunnelId}/response`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ request_id: 'r', shard_token: 'leak', resp_type: 'bogus' }),
    });
    const problems = cp.problems().join('\n');
    expect(problems).toMatch(/Authorization/);
    expect(problems).toMatch(/X-Tunnel-Shard-Token missing/);
    expect(problems).toMatch(/body:/);
    expect(problems).toMatch(/x-tunnel-client-instance-id missing/);
    expect(problems).toMatch(/shard_token must travel only in X-Tunnel-Shard-Token/);
  });
});
