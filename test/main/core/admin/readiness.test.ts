import { afterEach, describe, expect, it } from 'vitest';
import type { ManagedTunnelSpec } from '../../../../main/core/admin/managed-tunnel.js';
import { demoServerArgv } from '../../../../main/core/demo/demo-entry.js';
import type { TunnelConfig } from '../../../../main/core/engine/config.js';
import { FakeControlPlane } from '../../../fakes/fake-control-plane.js';
import { startAdminStack, type AdminStack } from './admin-harness.js';

const API_KEY = 'sk-readiness-test-key';
let stack: AdminStack | undefined;
let cp: FakeControlPlane | undefined;

afterEach(async () => {
  await stack?.close();
  await cp?.close();
  stack = undefined;
  cp = undefined;
});

function spec(id: string, fake: FakeControlPlane, argv: string[]): ManagedTunnelSpec {
  const config: TunnelConfig = {
    name: id,
    controlPlane: {
      baseUrl: fake.baseUrl,
      tunnelId: fake.tunnelId,
      apiKey: API_KEY,
      maxInflight: 20,
      pollTimeoutMs: 300,
    },
    channels: [{ name: 'main', kind: 'stdio', argv }],
    maxConcurrent: 10,
    connectionMaxTtlMs: 60_000,
  };
  return { id, displayName: id, connection: 'relay', enabled: true, load: async () => config };
}

async function readyz(
  s: AdminStack,
): Promise<{ status: number; body: { status: string; reasons: string[] } }> {
  const r = await s.get('/readyz');
  return { status: r.status, body: JSON.parse(r.text) as { status: string; reasons: string[] } };
}

async function until(
  s: AdminStack,
  want: number,
  label: string,
): Promise<{ status: string; reasons: string[] }> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await readyz(s);
    if (r.status === want) return r.body;
    if (Date.now() > deadline)
      throw new Error(`/readyz never became ${want} (${label}); last: ${JSON.stringify(r.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('/readyz follows the live state', () => {
  it('is not ready before start, ready once polls and the MCP probe succeed, and tracks a 5xx storm', async () => {
    cp = await FakeControlPlane.start({ apiKey: API_KEY });
    stack = await startAdminStack([spec('t1', cp, demoServerArgv())]);
    expect((await readyz(stack)).body.reasons).toEqual(['no tunnel is running']);

    await stack.manager.startEnabled();
    await stack.manager.get('t1').tunnel!.whenReady();
    await stack.manager.get('t1').probeNow();
    await until(stack, 200, 'after start');

    // Three 503s, each asking for a 1 s pause: the storm outlasts the 0.6 s readiness window.
    for (let i = 0; i < 3; i += 1) {
      cp.enqueuePoll({
        status: 503,
        headers: { 'retry-after': '1' },
        body: { error: { message: 'down', type: 'server_error' } },
      });
    }
    const down = await until(stack, 503, 'during the 503 storm');
    expect(down.reasons.join('\n')).toMatch(/t1: no successful poll/);

    await until(stack, 200, 'after the storm');
    expect(cp.problems()).toEqual([]);
  });

  it('reports a rejected key and a dead MCP server, each with its reason', async () => {
    cp = await FakeControlPlane.start({ apiKey: API_KEY });
    stack = await startAdminStack([
      spec('good', cp, demoServerArgv()),
      spec('dead', cp, [process.execPath, '-e', 'process.exit(3)']),
    ]);
    await stack.manager.startEnabled();
    await stack.manager.get('good').tunnel!.whenReady();
    await stack.manager.get('good').probeNow();
    await stack.manager.get('dead').probeNow();
    const dead = await until(stack, 503, 'dead MCP server');
    expect(dead.reasons.some((r) => r.startsWith('dead/main: MCP server unreachable'))).toBe(true);
    expect(dead.reasons.some((r) => r.startsWith('good'))).toBe(false);

    await stack.manager.stop('dead');
    await until(stack, 200, 'dead tunnel turned off');

    cp.setApiKey('sk-some-other-key');
    const rejected = await until(stack, 503, 'key rejected');
    expect(rejected.reasons.join('\n')).toMatch(/good: .*(key|401|forbidden)/i);
    expect(JSON.stringify(rejected)).not.toContain(API_KEY);
  });
});
