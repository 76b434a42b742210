/**
 * The control-plane checks against a scripted control plane (real HTTP on loopback): every
 * documented error code of GET /v1/tunnels/{id} and of the poll maps to its advice, TLS
 * failures point at CA_BUNDLE, and a command the doctor's poll receives is answered, not lost.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { controlPlaneChecks } from '../../../../main/core/doctor/checks-control-plane.js';
import type { DoctorCheck } from '../../../../main/core/doctor/doctor-check.js';
import { adviceFor } from '../../../../main/core/doctor/error-advice.js';
import type { ControlPlaneConfig, TunnelConfig } from '../../../../main/core/engine/config.js';
import { networkError } from '../../../../main/core/engine/control-plane/errors.js';
import { silentLogger } from '../../../../main/core/observability/logger.js';
import { apiError, FakeControlPlane, jsonrpcCommand } from '../../../fakes/fake-control-plane.js';

const KEY = 'sk-proj-doctor-cp-CANARY-0123456789abcdef';

function tunnelConfig(controlPlane: Partial<ControlPlaneConfig> & { baseUrl: string }): TunnelConfig {
  return {
    name: 'cp-test',
    controlPlane: {
      tunnelId: 'tunnel_0123456789abcdef0123456789abcdef',
      apiKey: KEY,
      maxInflight: 20,
      pollTimeoutMs: 30_000,
      ...controlPlane,
    },
    channels: [{ name: 'main', kind: 'stdio', argv: ['node', 'server.js'] }],
    maxConcurrent: 10,
    connectionMaxTtlMs: 600_000,
  };
}

async function runChecks(config: TunnelConfig, poll = true): Promise<Record<string, DoctorCheck>> {
  const checks = await controlPlaneChecks({
    config,
    timeoutMs: 5000,
    pollTimeoutMs: 50,
    poll,
    logger: silentLogger,
  });
  const byId = Object.fromEntries(checks.map((c) => [c.id, c]));
  for (const c of checks) expect(JSON.stringify(c)).not.toContain(KEY);
  return byId;
}

describe('control-plane checks against a scripted control plane', () => {
  let cp: FakeControlPlane;
  beforeEach(async () => {
    cp = await FakeControlPlane.start({ apiKey: KEY });
  });
  afterEach(async () => {
    await cp.close();
  });

  it('passes with the tunnel name, sends one well-formed poll with limit 1 and a short timeout', async () => {
    const checks = await runChecks(tunnelConfig({ baseUrl: cp.baseUrl }));
    expect(checks.control_plane_metadata?.status).toBe('pass');
    expect(checks.control_plane_metadata?.summary).toContain("'Fake tunnel'");
    expect(checks.control_plane_poll?.status).toBe('pass');
    const polls = cp.polls();
    expect(polls).toHaveLength(1);
    expect(polls[0]!.query.get('limit')).toBe('1');
    expect(polls[0]!.query.get('timeout_ms')).toBe('50');
    expect(cp.problems()).toEqual([]);
  });

  const cases: Array<{
    name: string;
    status: number;
    code?: string;
    headers?: Record<string, string>;
    verdict: 'fail' | 'warn';
    advice: RegExp[];
  }> = [
    {
      name: '403 tunnel_use_forbidden',
      status: 403,
      code: 'tunnel_use_forbidden',
      verdict: 'fail',
      advice: [/CONTROL_PLANE_API_KEY/, /CONTROL_PLANE_TUNNEL_ID/, /Use\)/],
    },
    {
      name: '403 tunnel_active_organization_required',
      status: 403,
      code: 'tunnel_active_organization_required',
      verdict: 'fail',
      advice: [/organization that owns the tunnel/, /organization_id/],
    },
    {
      name: '401 tunnel_missing_principals',
      status: 401,
      code: 'tunnel_missing_principals',
      verdict: 'fail',
      advice: [/associated with the organization or workspace/],
    },
    {
      name: '400 invalid_tunnel_id_format',
      status: 400,
      code: 'invalid_tunnel_id_format',
      verdict: 'fail',
      advice: [/exact tunnel id/, /CONTROL_PLANE_TUNNEL_ID/],
    },
    {
      name: '429 rate_limit_exceeded with Retry-After',
      status: 429,
      code: 'rate_limit_exceeded',
      headers: { 'retry-after': '7' },
      verdict: 'warn',
      advice: [/Retry-After/, /reduce how many clients poll/],
    },
    {
      name: '503 without a code',
      status: 503,
      headers: { 'retry-after': '2' },
      verdict: 'fail',
      advice: [/Retry in a minute/],
    },
    { name: '401 without a code', status: 401, verdict: 'fail', advice: [/runtime key/] },
  ];

  for (const c of cases) {
    it(`maps ${c.name} on both endpoints to its advice`, async () => {
      const reply = {
        status: c.status,
        ...(c.headers ? { headers: c.headers } : {}),
        body: c.code ? apiError(c.code, `server says ${KEY}`) : { error: { message: 'nope', code: null } },
      };
      cp.enqueueTunnel(reply);
      cp.enqueuePoll(reply);
      const checks = await runChecks(tunnelConfig({ baseUrl: cp.baseUrl }));
      for (const id of ['control_plane_metadata', 'control_plane_poll']) {
        const check = checks[id]!;
        expect(check.status, id).toBe(c.verdict);
        expect(check.evidence).toContain(`HTTP ${c.status}${c.code ? ` ${c.code}` : ''}`);
        for (const pattern of c.advice) expect(check.nextStep, `${id}: ${check.nextStep}`).toMatch(pattern);
        if (c.headers?.['retry-after'])
          expect(check.evidence).toContain(`Retry-After: ${c.headers['retry-after']} s`);
      }
    });
  }

  it('answers a command its poll received with a retryable 503 instead of dropping it', async () => {
    const command = jsonrpcCommand({ jsonrpc: '2.0', id: 7, method: 'tools/list' });
    cp.pushCommands(command);
    const checks = await runChecks(tunnelConfig({ baseUrl: cp.baseUrl }));
    const poll = checks.control_plane_poll!;
    expect(poll.status).toBe('warn');
    expect(poll.evidence).toContain(`command ${String(command.request_id)} (jsonrpc): answered 503`);
    expect(poll.nextStep).toMatch(/--no-poll/);
    const [post] = cp.responsesFor(String(command.request_id));
    expect(post?.headers['x-tunnel-shard-token']).toBe(command.shard_token);
    expect(post?.body).toMatchObject({
      resp_type: 'jsonrpc_response',
      resp_code: 503,
      resp_json: { id: 7, error: { code: -32603, data: { tunnel_failure: { source: 'client_internal' } } } },
    });
    expect(cp.problems()).toEqual([]);
  });

  it('skips the poll with --no-poll and sends none', async () => {
    const checks = await runChecks(tunnelConfig({ baseUrl: cp.baseUrl }), false);
    expect(checks.control_plane_metadata?.status).toBe('pass');
    expect(checks.control_plane_poll).toMatchObject({
      status: 'skip',
      summary: expect.stringMatching(/--no-poll/),
    });
    expect(cp.polls()).toHaveLength(0);
  });

  it('a closed port fails the metadata with connect advice and skips the poll', async () => {
    const port = cp.port;
    await cp.close();
    const checks = await runChecks(tunnelConfig({ baseUrl: `http://127.0.0.1:${port}` }));
    expect(checks.control_plane_metadata?.status).toBe('fail');
    expect(checks.control_plane_metadata?.evidence).toContain('ECONNREFUSED');
    expect(checks.control_plane_metadata?.nextStep).toMatch(/is your relay running\?.*proxy settings/s);
    expect(checks.control_plane_poll?.status).toBe('skip');
    cp = await FakeControlPlane.start();
  });

  it('an https:// URL to a plain HTTP server is a TLS failure with CA_BUNDLE advice', async () => {
    const checks = await runChecks(tunnelConfig({ baseUrl: cp.baseUrl.replace('http:', 'https:') }));
    expect(checks.control_plane_metadata?.status).toBe('fail');
    expect(checks.control_plane_metadata?.summary).toMatch(/^TLS to the control plane failed/);
    expect(checks.control_plane_metadata?.nextStep).toMatch(/CA_BUNDLE/);
  });
});

describe('control-plane checks over TLS with an untrusted certificate', () => {
  let dir: string;
  let server: Server;
  let certPem: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'doctor-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
    server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: certPem }, (req, res) => {
      if (req.url?.includes('/poll')) {
        res.writeHead(204).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'tunnel_0123456789abcdef0123456789abcdef', name: 'TLS tunnel' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails with CA_BUNDLE advice, and passes once that certificate is the CA bundle', async () => {
    const baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const untrusted = await runChecks(tunnelConfig({ baseUrl }));
    expect(untrusted.control_plane_metadata?.status).toBe('fail');
    expect(untrusted.control_plane_metadata?.evidence).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
    expect(untrusted.control_plane_metadata?.nextStep).toMatch(/^Set CA_BUNDLE/);
    expect(untrusted.control_plane_poll?.status).toBe('skip');

    const trusted = await runChecks(tunnelConfig({ baseUrl, caBundlePem: certPem }));
    expect(trusted.control_plane_metadata?.status).toBe('pass');
    expect(trusted.control_plane_metadata?.summary).toContain("'TLS tunnel'");
    expect(trusted.control_plane_poll?.status).toBe('pass');
  });
});

describe('adviceFor (network causes)', () => {
  const ctx = { operation: 'getTunnel' as const, request: 'GET https://cp.example/v1/tunnels/x' };
  it('DNS failures point at the base URL host and the proxy settings', () => {
    const advice = adviceFor(
      networkError('getTunnel', 'https://cp.example', { code: 'ENOTFOUND' }, false),
      ctx,
    );
    expect(advice.summary).toMatch(/does not resolve/);
    expect(advice.nextStep).toMatch(/HTTPS_PROXY/);
    expect(advice.evidence).toContain('error: ENOTFOUND');
  });
  it('timeouts point at firewall and proxy', () => {
    const advice = adviceFor(
      networkError('poll', 'https://cp.example', { code: 'UND_ERR_CONNECT_TIMEOUT' }, false),
      ctx,
    );
    expect(advice.summary).toMatch(/did not answer in time/);
    expect(advice.nextStep).toMatch(/firewall/);
  });
});
