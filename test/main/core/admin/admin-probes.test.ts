import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbeAdmin } from '../../../../main/core/admin/admin-probes.js';
import { AdminService } from '../../../../main/core/admin/admin-service.js';
import { RequestLog } from '../../../../main/core/admin/request-log.js';
import { TunnelManager } from '../../../../main/core/admin/tunnel-manager.js';
import { LogHub } from '../../../../main/core/observability/logger.js';
import { startHttpMcpServer, type HttpMcpServer } from '../../../fixtures/http-mcp-server.js';

let dir: string;
let mcp: HttpMcpServer;
let secured: HttpMcpServer;
let svc: AdminService;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'admin-probes-'));
  await writeFile(join(dir, 'my-server'), '#!/bin/sh\nexit 0\n');
  await chmod(join(dir, 'my-server'), 0o755);
  await writeFile(join(dir, 'not-exec'), 'data');
  mcp = await startHttpMcpServer();
  secured = await startHttpMcpServer({ bearerToken: 'probe-secret' });
  const hub = new LogHub({ level: 'error' });
  svc = new AdminService({
    manager: new TunnelManager({ logger: hub.logger() }),
    logs: hub,
    requests: new RequestLog(),
    version: 'test',
    probes: createProbeAdmin({
      env: { PATH: `${dir}:/usr/bin:/bin` },
      logger: hub.logger(),
      timeoutMs: 5000,
    }),
  });
});
afterAll(async () => {
  await mcp.close();
  await secured.close();
  await rm(dir, { recursive: true, force: true });
});

describe('probe.command', () => {
  it('finds an executable on the PATH the server will get, without running it', async () => {
    const res = await svc.invoke('probe.command', { command: 'my-server --flag "a b"' });
    expect(res).toEqual({
      ok: true,
      result: { ok: true, message: `Found ${join(dir, 'my-server')}.`, resolvedPath: join(dir, 'my-server') },
    });
  });

  it('says what to do for a missing or non-executable command', async () => {
    const missing = await svc.invoke('probe.command', { command: 'no-such-server-xyz' });
    expect(missing).toMatchObject({ ok: true, result: { ok: false } });
    expect(JSON.stringify(missing)).toMatch(/install it, or enter its absolute path/);
    const notExec = await svc.invoke('probe.command', { command: join(dir, 'not-exec') });
    expect(JSON.stringify(notExec)).toMatch(/not executable/);
    const quote = await svc.invoke('probe.command', { command: 'node "unbalanced' });
    expect(quote).toMatchObject({ ok: true, result: { ok: false } });
    const empty = await svc.invoke('probe.command', { command: '  ' });
    expect(JSON.stringify(empty)).toMatch(/Enter the command/);
  });

  it('answers bad_request without a command', async () => {
    expect(await svc.invoke('probe.command', {})).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
  });
});

describe('probe.url', () => {
  it('makes a live initialize and ends the session', async () => {
    const res = await svc.invoke('probe.url', { url: mcp.url });
    expect(res).toMatchObject({ ok: true, result: { ok: true, protocolVersion: '2025-06-18' } });
    expect((res as { result: { serverName?: string } }).result.serverName).toBeTruthy();
    expect(mcp.count('DELETE')).toBe(1);
  });

  it('passes headers and explains a refusal', async () => {
    const refused = await svc.invoke('probe.url', { url: secured.url });
    expect(refused).toMatchObject({ ok: true, result: { ok: false } });
    expect(JSON.stringify(refused)).toMatch(/HTTP 401.*Authorization/);
    const ok = await svc.invoke('probe.url', {
      url: secured.url,
      headers: { Authorization: 'Bearer probe-secret' },
    });
    expect(ok).toMatchObject({ ok: true, result: { ok: true } });
  });

  it('reports an unreachable server and a non-URL', async () => {
    const closed = await startHttpMcpServer();
    const url = closed.url;
    await closed.close();
    const res = await svc.invoke('probe.url', { url });
    expect(res).toMatchObject({ ok: true, result: { ok: false } });
    expect(JSON.stringify(res)).toMatch(/Could not reach/);
    expect(await svc.invoke('probe.url', { url: 'localhost:3000' })).toMatchObject({
      ok: true,
      result: { ok: false },
    });
  });
});
