import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createRelay } from '../../../../main/core/relay/relay-server.js';
import {
  formatResponseTimeout,
  type FailReason,
  type RelayCommand,
} from '../../../../main/core/relay/command.js';
import { createRelayMetrics } from '../../../../main/core/relay/metrics.js';
import { TunnelRuntime } from '../../../../main/core/relay/tunnel-runtime.js';
import { canonicalHeaderName, forwardedHeaders } from '../../../../main/core/relay/forwarded-headers.js';
import { parseAffinityChannels } from '../../../../main/core/relay/response-payload.js';
import { callerStatus } from '../../../../main/core/relay/status-map.js';
import {
  bearerToken,
  decodeHashes,
  hashSecret,
  newConnectorToken,
  newRuntimeKey,
  newTunnelId,
  secretMatches,
  tokensEqual,
} from '../../../../main/core/relay/tunnel-secrets.js';
import { TUNNEL_ID_PATTERN } from '../../../../main/core/engine/protocol/wire.js';
import { redactText } from '../../../../main/core/observability/redact.js';
import { http, manualClock, relayForTest } from './relay-harness.js';

describe('tunnel secrets', () => {
  it('mints ids, keys and tokens of the documented shapes, which the log redactor masks', () => {
    for (let i = 0; i < 50; i++) expect(newTunnelId()).toMatch(TUNNEL_ID_PATTERN);
    const key = newRuntimeKey();
    const token = newConnectorToken();
    expect(key).toMatch(/^mcpt_rk_[A-Za-z0-9_-]{43}$/);
    expect(token).toMatch(/^mcpt_ct_[A-Za-z0-9_-]{43}$/);
    expect(redactText(`key ${key} token ${token}`)).not.toMatch(/mcpt_/);
  });

  it('matches a secret only against its own hashes', () => {
    const key = newRuntimeKey();
    const hashes = decodeHashes([hashSecret(newRuntimeKey()), hashSecret(key), 'not-a-hash']);
    expect(hashes).toHaveLength(2);
    expect(secretMatches(key, hashes)).toBe(true);
    expect(secretMatches(`${key}x`, hashes)).toBe(false);
    expect(secretMatches(key, decodeHashes([hashSecret(newRuntimeKey())]))).toBe(false);
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abd')).toBe(false);
    expect(tokensEqual('abc', 'abcd')).toBe(false);
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
  });
});

describe('wire helpers', () => {
  it('maps statuses like the hosted service', () => {
    expect(
      [100, 103, 200, 204, 226, 250, 302, 399, 404, 451, 499, 500, 511, 599, 0, 1000].map(callerStatus),
    ).toEqual([502, 502, 200, 204, 226, 200, 302, 502, 404, 451, 502, 500, 511, 502, 502, 502]);
  });

  it('formats response_timeout with one integer and one unit', () => {
    expect(formatResponseTimeout(120_000)).toBe('120s');
    expect(formatResponseTimeout(4500.7)).toBe('4500ms');
    expect(formatResponseTimeout(-3)).toBe('0s');
  });

  it('canonicalizes header names and strips Connection-named headers', () => {
    expect(canonicalHeaderName('mcp-session-id')).toBe('Mcp-Session-Id');
    expect(canonicalHeaderName('X-FOO')).toBe('X-Foo');
    expect(
      forwardedHeaders(
        {
          'x-a': ['1', '2'],
          'x-hop': ['h'],
          connection: ['x-hop'],
          'proxy-foo': ['p'],
          'x-forwarded-host': ['f'],
        },
        { connection: 'x-hop' },
      ),
    ).toEqual({ 'X-A': ['1', '2'] });
  });

  it('reads proc_affinity channels from X-Tunnel-MCP-Server-Info and ignores anything invalid', () => {
    const info = {
      version: 1,
      channels: [
        { name: 'main', proc_affinity: true },
        { name: 'web' },
        { name: 'BAD', proc_affinity: true },
      ],
    };
    expect([...parseAffinityChannels(JSON.stringify(info))]).toEqual(['main']);
    expect(parseAffinityChannels('{oops').size).toBe(0);
    expect(parseAffinityChannels(JSON.stringify({ version: 2, channels: info.channels })).size).toBe(0);
    expect(parseAffinityChannels(' '.repeat(5000)).size).toBe(0);
  });
});

describe('health and metrics', () => {
  it('serves /healthz and Prometheus metrics from its own registry', async () => {
    const relay = await relayForTest();
    const health = await http(`${relay.controlPlaneUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(health.text).toBe('ok\n');
    await http(relay.mcpUrl, { method: 'POST', headers: { authorization: 'Bearer nope' }, body: '{}' });
    const metrics = await http(`${relay.controlPlaneUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(String(metrics.headers['content-type'])).toContain('text/plain');
    for (const name of [
      'relay_frontdoor_requests_total{code="401"} 1',
      'relay_commands_queued 0',
      'relay_pollers_waiting 0',
      'relay_command_latency_seconds_bucket',
      'relay_clients_connected 0',
    ])
      expect(metrics.text).toContain(name);
    expect(metrics.text).not.toContain('mcpt_');
    const unknown = await http(`${relay.controlPlaneUrl}/v2/whatever`);
    expect(unknown.status).toBe(404);
  });
});

describe('direct TLS', () => {
  it('serves HTTPS from a certificate and key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-tls-'));
    try {
      try {
        execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'rsa:2048',
            '-nodes',
            '-days',
            '1',
            '-subj',
            '/CN=localhost',
            '-addext',
            'subjectAltName=IP:127.0.0.1,DNS:localhost',
            '-keyout',
            join(dir, 'key.pem'),
            '-out',
            join(dir, 'cert.pem'),
          ],
          { stdio: 'pipe' },
        );
      } catch (error) {
        throw new Error(
          `This test needs the openssl command (Debian package: openssl): ${(error as Error).message}`,
          { cause: error },
        );
      }
      const certPem = readFileSync(join(dir, 'cert.pem'));
      const relay = await createRelay({ tls: { certPem, keyPem: readFileSync(join(dir, 'key.pem')) } });
      const agent = new Agent({ connect: { ca: certPem } });
      try {
        expect(relay.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        const res = await request(`${relay.url}/healthz`, { dispatcher: agent });
        expect(res.statusCode).toBe(200);
        expect(await res.body.text()).toBe('ok\n');
      } finally {
        await agent.close();
        await relay.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('tunnel runtime', () => {
  it('puts commands back in the queue when the poll that was to take them is already gone', () => {
    const clock = manualClock();
    const runtime = new TunnelRuntime('tunnel_x', {
      clock,
      metrics: createRelayMetrics(),
      queueCapacity: 10,
      clientStaleMs: 1000,
      pollRatePerSecond: 1,
      pollRateBurst: 1,
    });
    const info = { raw: undefined, parse: () => new Set<string>() };
    const failures: FailReason[] = [];
    const cmd: RelayCommand = {
      requestId: 'req_1',
      shardToken: 'st_1',
      type: 'jsonrpc',
      channel: 'main',
      createdAt: new Date(0).toISOString(),
      enqueuedAt: clock.now(),
      deadlineAt: clock.now() + 60_000,
      headersJson: '{}',
      messageJson: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
      isInitialize: false,
      sessionKey: undefined,
      targetInstance: undefined,
      sink: { notify: () => undefined, complete: () => undefined, fail: (r) => failures.push(r) },
      phase: 'queued',
      instanceId: undefined,
      timer: undefined,
    };
    runtime.poll({ instanceId: 'gone', limit: 1, channels: undefined, deliver: () => false }, info);
    runtime.enqueue(cmd);
    expect(runtime.queue).toEqual([cmd]);
    expect(cmd.phase).toBe('queued');
    expect(runtime.waiting).toHaveLength(0);
    const taken: RelayCommand[] = [];
    runtime.poll(
      { instanceId: 'live', limit: 5, channels: undefined, deliver: (c) => taken.push(...c) > 0 },
      info,
    );
    expect(taken).toEqual([cmd]);
    expect(cmd).toMatchObject({ phase: 'delivered', instanceId: 'live' });
    runtime.dispose('shutdown');
    expect(failures).toEqual(['shutdown']);
    expect(runtime.pending.size).toBe(0);
  });
});
