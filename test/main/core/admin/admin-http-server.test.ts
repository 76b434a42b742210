import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminListenError, startAdminHttpServer } from '../../../../main/core/admin/admin-http-server.js';
import { startDemoRelay, type DemoSetup } from '../../../../main/core/demo/demo-tunnel.js';
import { silentLogger } from '../../../../main/core/observability/logger.js';
import { startAdminStack, type AdminStack } from './admin-harness.js';

let stack: AdminStack | undefined;
let demo: DemoSetup | undefined;

afterEach(async () => {
  await stack?.close();
  await demo?.relay.close();
  stack = undefined;
  demo = undefined;
});

async function demoStack(): Promise<AdminStack> {
  demo = await startDemoRelay(silentLogger);
  const setup = demo;
  stack = await startAdminStack([
    {
      id: 'demo',
      displayName: 'Demo',
      connection: 'demo',
      enabled: true,
      load: async () => setup.config,
      mcpUrl: setup.relay.mcpUrl,
      connectorToken: setup.relay.connectorToken,
    },
  ]);
  await stack.manager.startEnabled();
  await stack.manager.get('demo').tunnel!.whenReady();
  return stack;
}

describe('admin HTTP listener', () => {
  it('guards the API with the per-launch token, the Host and the Origin', async () => {
    const s = await demoStack();
    const host = new URL(s.admin.url).host;
    expect((await s.get('/healthz')).status).toBe(200);

    const noToken = await request(`${s.admin.url}/api/status.get`, { method: 'POST', headers: { host } });
    expect(noToken.statusCode).toBe(401);
    expect(await noToken.body.text()).toMatch(/admin token/);
    expect((await s.call('status.get', {}, { authorization: 'Bearer wrong' })).status).toBe(401);

    expect((await s.call('status.get', {}, { host: 'evil.example:80' })).status).toBe(403);
    expect((await s.get('/healthz', { host: 'attacker.test' })).status).toBe(403);
    expect((await s.call('status.get', {}, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await s.call('status.get', {}, { origin: s.admin.url })).status).toBe(200);

    const ok = await s.call('status.get', {});
    expect(ok.status).toBe(200);
    expect(ok.body.result.tunnels[0]).toMatchObject({
      id: 'demo',
      enabled: true,
      state: { kind: 'ready' },
      hasConnectorToken: true,
    });
  });

  it('refuses to bind a non-loopback address unless allowed', async () => {
    await expect(
      startAdminHttpServer({
        service: undefined as never,
        readiness: () => ({ ready: true, reasons: [] }),
        logger: silentLogger,
        listen: '0.0.0.0:0',
      }),
    ).rejects.toBeInstanceOf(AdminListenError);
  });

  it('answers bad calls with contract error codes', async () => {
    const s = await demoStack();
    expect((await s.call('no.such.method', {})).body.error.code).toBe('not_found');
    expect((await s.call('tunnels.stop', { id: 42 })).body.error.code).toBe('bad_request');
    expect((await s.call('tunnels.stop', { id: 'nope' })).status).toBe(404);
    expect((await s.call('logs.setLevel', { level: 'loud' })).status).toBe(400);
    expect((await s.call('metrics.snapshot', {})).body.error.code).toBe('unavailable');
  });

  it('shows a tools/call made through the tunnel in the request log, without payloads', async () => {
    const s = await demoStack();
    const client = new Client({ name: 'admin-test', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(demo!.relay.mcpUrl), {
        requestInit: { headers: { Authorization: `Bearer ${demo!.relay.connectorToken}` } },
      }),
    );
    await client.callTool({ name: 'echo', arguments: { text: 'secret-payload-canary' } });
    await client.close();
    const { body } = await s.call('requests.list', {});
    const call = body.result.records.find((r) => r.method === 'tools/call');
    expect(call).toMatchObject({
      tunnel: 'demo',
      channel: 'main',
      toolName: 'echo',
      outcome: 'ok',
      status: 200,
    });
    expect(JSON.stringify(body)).not.toContain('secret-payload-canary');
    expect(JSON.stringify(body)).not.toContain(demo!.relay.connectorToken);
  });

  it('switches the log level at run time and the tail follows', async () => {
    const s = await demoStack();
    s.hub.logger('t').debug('hidden-at-info');
    expect((await s.call('logs.setLevel', { level: 'debug' })).body.result.level).toBe('debug');
    s.hub.logger('t').debug('visible-at-debug');
    const tail = await s.call('logs.tail', {});
    const msgs = tail.body.result.entries.map((e) => e.msg);
    expect(msgs).toContain('visible-at-debug');
    expect(msgs).not.toContain('hidden-at-info');
  });

  it('streams status changes as events and turns a tunnel off and on', async () => {
    const s = await demoStack();
    const host = new URL(s.admin.url).host;
    const events = await request(`${s.admin.url}/api/events`, {
      headers: { host, authorization: `Bearer ${s.admin.token}` },
    });
    expect(events.statusCode).toBe(200);
    let seen = '';
    const reading = (async () => {
      for await (const chunk of events.body) {
        seen += (chunk as Buffer).toString();
        if (seen.includes('"kind":"stopped"')) return;
      }
    })();
    const stopped = await s.call('tunnels.stop', { id: 'demo' });
    expect(stopped.body.result).toMatchObject({ enabled: false, state: { kind: 'stopped' } });
    await reading;
    expect(seen).toContain('event: status.tunnel');
    events.body.destroy();

    const started = await s.call('tunnels.start', { id: 'demo' });
    expect(started.body.result.enabled).toBe(true);
    await s.manager.get('demo').tunnel!.whenReady();
    expect((await s.call('status.get', {})).body.result.tunnels[0]!.state.kind).toBe('ready');
  });
});
