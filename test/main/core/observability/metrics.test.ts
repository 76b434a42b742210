import { register as globalRegistry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngineMetrics, type EngineMetrics } from '../../../../main/core/observability/metrics.js';
import { FakeSource, channel, parseExposition, record, status, valueOf } from './metrics-fixtures.js';

let metrics: EngineMetrics | undefined;
afterEach(() => {
  metrics?.close();
  metrics = undefined;
});

function setup(source = new FakeSource()): { source: FakeSource; metrics: EngineMetrics } {
  metrics = createEngineMetrics({ source, version: '9.8.7' });
  return { source, metrics };
}

async function scrape(m: EngineMetrics): Promise<ReturnType<typeof parseExposition>> {
  return parseExposition(await m.text());
}

describe('engine metrics exposition', () => {
  it('exposes the reference names and ours, with their types and labels, from statuses and records', async () => {
    const { source, metrics: m } = setup();
    source.entries = [
      {
        id: 'work',
        status: status('work', {
          commandsTotal: 7,
          lastSuccessfulPollAt: 1_700_000_123_000,
          consecutivePollFailures: 1,
          inflight: 4,
          queued: 2,
          running: 2,
          errorsByKind: { poll_network: 3, poll_rate_limited: 1, command_expired: 2 },
          channels: [
            channel('main', { restarts: 2, inFlight: 2, sessions: 1 }),
            channel('docs', { transport: 'streamable-http', state: 'restarting', restarts: 0 }),
          ],
        }),
      },
      { id: 'home', status: status('home', { kind: 'auth_failed' }) },
    ];
    m.recordCommand('work', record({ queueMs: 2, mcpMs: 5, postMs: 1 }));
    m.recordCommand(
      'work',
      record({ method: 'initialize', outcome: 'mcp_error', queueMs: 0, mcpMs: 30, postMs: 0 }),
    );
    m.recordCommand('work', record({ channel: 'docs', outcome: 'failure', status: 200 }));
    m.recordCommand('work', record({ outcome: 'expired', status: undefined }));

    const { samples, types } = await scrape(m);
    const expectedTypes: Record<string, string> = {
      commands_polled_total: 'counter',
      commands_poll_errors_total: 'counter',
      commands_poll_last_successful_timestamp_seconds: 'gauge',
      commands_queue_length: 'gauge',
      dispatcher_worker_pool_occupancy: 'gauge',
      dispatcher_worker_pool_capacity: 'gauge',
      command_end_to_end_latency_seconds: 'histogram',
      mcp_tunnel_command_phase_seconds: 'histogram',
      mcp_tunnel_commands_total: 'counter',
      mcp_tunnel_errors_total: 'counter',
      mcp_tunnel_stdio_restarts_total: 'counter',
      mcp_tunnel_channel_up: 'gauge',
      mcp_tunnel_state: 'gauge',
      mcp_tunnel_info: 'gauge',
    };
    for (const [name, type] of Object.entries(expectedTypes)) expect(types.get(name), name).toBe(type);

    expect(valueOf(samples, 'commands_polled_total', { tunnel: 'work' })).toBe(7);
    expect(valueOf(samples, 'commands_poll_errors_total', { tunnel: 'work', error_kind: 'network' })).toBe(3);
    expect(
      valueOf(samples, 'commands_poll_errors_total', { tunnel: 'work', error_kind: 'rate_limited' }),
    ).toBe(1);
    expect(
      samples.some((s) => s.name === 'commands_poll_errors_total' && s.labels.error_kind === 'expired'),
    ).toBe(false);
    expect(valueOf(samples, 'mcp_tunnel_errors_total', { tunnel: 'work', kind: 'command_expired' })).toBe(2);
    expect(valueOf(samples, 'commands_poll_last_successful_timestamp_seconds', { tunnel: 'work' })).toBe(
      1_700_000_123,
    );
    expect(valueOf(samples, 'commands_poll_last_successful_timestamp_seconds', { tunnel: 'home' })).toBe(0);
    expect(valueOf(samples, 'commands_queue_length', { tunnel: 'work' })).toBe(2);
    expect(valueOf(samples, 'dispatcher_worker_pool_occupancy', { tunnel: 'work' })).toBe(2);
    expect(valueOf(samples, 'dispatcher_worker_pool_capacity', { tunnel: 'work' })).toBe(10);
    expect(valueOf(samples, 'mcp_tunnel_commands_inflight', { tunnel: 'work' })).toBe(4);
    expect(valueOf(samples, 'mcp_tunnel_poll_consecutive_failures', { tunnel: 'work' })).toBe(1);
    expect(valueOf(samples, 'mcp_tunnel_stdio_restarts_total', { tunnel: 'work', channel: 'main' })).toBe(2);
    // Only stdio channels have children to restart.
    expect(
      valueOf(samples, 'mcp_tunnel_stdio_restarts_total', { tunnel: 'work', channel: 'docs' }),
    ).toBeUndefined();
    expect(valueOf(samples, 'mcp_tunnel_channel_up', { tunnel: 'work', channel: 'main' })).toBe(1);
    expect(valueOf(samples, 'mcp_tunnel_channel_up', { tunnel: 'work', channel: 'docs' })).toBe(0);
    expect(valueOf(samples, 'mcp_tunnel_state', { tunnel: 'work', state: 'ready' })).toBe(1);
    expect(valueOf(samples, 'mcp_tunnel_state', { tunnel: 'work', state: 'degraded' })).toBe(0);
    expect(valueOf(samples, 'mcp_tunnel_state', { tunnel: 'home', state: 'auth_failed' })).toBe(1);
    expect(samples.filter((s) => s.name === 'mcp_tunnel_state' && s.value === 1)).toHaveLength(2);
    expect(valueOf(samples, 'mcp_tunnel_info', { tunnel: 'work', version: '9.8.7' })).toBe(1);

    // Every finished command is counted by outcome...
    expect(
      valueOf(samples, 'mcp_tunnel_commands_total', { tunnel: 'work', channel: 'main', outcome: 'ok' }),
    ).toBe(1);
    expect(
      valueOf(samples, 'mcp_tunnel_commands_total', {
        tunnel: 'work',
        channel: 'main',
        outcome: 'mcp_error',
      }),
    ).toBe(1);
    expect(
      valueOf(samples, 'mcp_tunnel_commands_total', { tunnel: 'work', channel: 'main', outcome: 'expired' }),
    ).toBe(1);
    expect(
      valueOf(samples, 'mcp_tunnel_commands_total', { tunnel: 'work', channel: 'docs', outcome: 'failure' }),
    ).toBe(1);
    // ...and those that reached a terminal POST enter the latency histograms.
    const e2e = {
      tunnel: 'work',
      channel: 'main',
      request_kind: 'call',
      request_method: 'tools/call',
      latency_type: 'poll_to_response',
      tunnel_service_status: '200',
    };
    expect(valueOf(samples, 'command_end_to_end_latency_seconds_count', e2e)).toBe(1);
    expect(valueOf(samples, 'command_end_to_end_latency_seconds_sum', e2e)).toBeCloseTo(0.008, 9);
    expect(valueOf(samples, 'command_end_to_end_latency_seconds_bucket', { ...e2e, le: '0.005' })).toBe(0);
    expect(valueOf(samples, 'command_end_to_end_latency_seconds_bucket', { ...e2e, le: '0.01' })).toBe(1);
    expect(valueOf(samples, 'command_end_to_end_latency_seconds_bucket', { ...e2e, le: '+Inf' })).toBe(1);
    const init = { ...e2e, request_method: 'initialize' };
    expect(valueOf(samples, 'command_end_to_end_latency_seconds_bucket', { ...init, le: '0.025' })).toBe(0);
    expect(valueOf(samples, 'command_end_to_end_latency_seconds_bucket', { ...init, le: '0.05' })).toBe(1);
    const phase = { tunnel: 'work', channel: 'main' };
    expect(valueOf(samples, 'mcp_tunnel_command_phase_seconds_count', { ...phase, phase: 'queue' })).toBe(2);
    expect(valueOf(samples, 'mcp_tunnel_command_phase_seconds_sum', { ...phase, phase: 'mcp' })).toBeCloseTo(
      0.035,
      9,
    );
    expect(valueOf(samples, 'mcp_tunnel_command_phase_seconds_sum', { ...phase, phase: 'post' })).toBeCloseTo(
      0.001,
      9,
    );

    // Every series carries the tunnel label.
    const untagged = samples.filter((s) => s.labels.tunnel === undefined).map((s) => s.name);
    expect(untagged).toEqual([]);
  });

  it('uses a registry of its own and the Prometheus text content type', async () => {
    const { source, metrics: m } = setup();
    source.entries = [{ id: 'work', status: status('work', { commandsTotal: 1 }) }];
    expect(m.registry).not.toBe(globalRegistry);
    expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await globalRegistry.metrics()).not.toContain('commands_polled_total');
    expect(await m.text()).toContain('commands_polled_total{tunnel="work"} 1');
  });

  it('reads the source once per scrape', async () => {
    const { source, metrics: m } = setup();
    source.entries = [{ id: 'work', status: status('work') }];
    const before = source.reads;
    await m.text();
    expect(source.reads - before).toBe(1);
  });

  it('keeps status-derived counters monotonic across a tunnel restart', async () => {
    const { source, metrics: m } = setup();
    const counters = async (): Promise<number[]> => {
      const { samples } = await scrape(m);
      return [
        valueOf(samples, 'commands_polled_total', { tunnel: 'work' }) ?? -1,
        valueOf(samples, 'commands_poll_errors_total', { tunnel: 'work', error_kind: 'network' }) ?? -1,
        valueOf(samples, 'mcp_tunnel_stdio_restarts_total', { tunnel: 'work', channel: 'main' }) ?? -1,
      ];
    };
    const run = (
      commandsTotal: number,
      network: number | undefined,
      restarts: number,
      instance?: object,
    ): void => {
      source.entries = [
        {
          id: 'work',
          instance,
          status: status('work', {
            commandsTotal,
            errorsByKind: network === undefined ? {} : { poll_network: network },
            channels: [channel('main', { restarts })],
          }),
        },
      ];
    };

    run(10, 3, 2);
    expect(await counters()).toEqual([10, 3, 2]);
    // The profile is restarted: a new Tunnel counts from zero (and has no poll errors yet).
    run(4, undefined, 0);
    expect(await counters()).toEqual([14, 3, 2]);
    run(6, 1, 1);
    expect(await counters()).toEqual([16, 4, 3]);

    // With the instance known, a restart is caught even when the new totals already overtook the old.
    const first = {};
    run(20, 5, 1, first);
    const base = await counters();
    expect(base).toEqual([16 + 14, 4 + 4, 3]); // 6→20 (+14), 1→5 (+4), 1→1 (+0)
    run(25, 6, 2, {});
    expect(await counters()).toEqual([base[0]! + 25, base[1]! + 6, base[2]! + 2]);
  });

  it('keeps record-derived counters across scrapes', async () => {
    const { source, metrics: m } = setup();
    source.entries = [{ id: 'work', status: status('work') }];
    m.recordCommand('work', record());
    await m.text();
    m.recordCommand('work', record());
    const { samples } = await scrape(m);
    expect(
      valueOf(samples, 'mcp_tunnel_commands_total', { tunnel: 'work', channel: 'main', outcome: 'ok' }),
    ).toBe(2);
  });

  it('labels only allow-listed methods and known channels; tool names, ids and headers never appear', async () => {
    const { source, metrics: m } = setup();
    source.entries = [{ id: 'work', status: status('work') }];
    const secrets = ['secret_tool_name_q7', 'req-id-unique-4411', 'Bearer tok-55aa', 'evil-channel-9'];
    m.recordCommand('work', record({ method: 'weird/method/x1', requestId: 'req-id-unique-4411' }));
    m.recordCommand('work', record({ method: 'notifications/custom_thing' }));
    m.recordCommand(
      'work',
      record({
        method: 'tools/call',
        toolName: 'secret_tool_name_q7',
        headers: { Authorization: ['Bearer tok-55aa'] },
      }),
    );
    m.recordCommand('work', record({ commandType: 'session_termination', method: undefined }));
    m.recordCommand('work', record({ method: 'response' }));
    m.recordCommand('work', record({ channel: 'evil-channel-9', status: 400, outcome: 'failure' }));
    m.recordCommand('work', record({ method: 'tools/list', status: 999 }));

    const text = await m.text();
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain('weird');
    expect(text).not.toContain('custom_thing');

    const { samples } = parseExposition(text);
    const count = 'command_end_to_end_latency_seconds_count';
    const methods = new Set(
      samples
        .filter((s) => s.name === count)
        .map((s) => `${s.labels.request_kind}:${s.labels.request_method}`),
    );
    expect([...methods].sort()).toEqual(
      [
        'call:other',
        'call:tools/call',
        'call:tools/list',
        'notification:other',
        'response:response',
        'session_termination:other',
      ].sort(),
    );
    expect(valueOf(samples, count, { channel: 'main', request_method: 'other', request_kind: 'call' })).toBe(
      1,
    );
    expect(valueOf(samples, count, { channel: 'main', request_method: 'tools/call' })).toBe(1);
    expect(valueOf(samples, count, { channel: 'other', tunnel_service_status: '400' })).toBe(1);
    expect(valueOf(samples, count, { request_method: 'tools/list', tunnel_service_status: 'other' })).toBe(1);
    expect(valueOf(samples, 'mcp_tunnel_commands_total', { channel: 'other', outcome: 'failure' })).toBe(1);
  });

  it('learns a channel added after start and labels it by name', async () => {
    const { source, metrics: m } = setup();
    source.entries = [{ id: 'work', status: status('work') }];
    await m.text();
    source.entries = [
      { id: 'work', status: status('work', { channels: [channel('main'), channel('later')] }) },
    ];
    m.recordCommand('work', record({ channel: 'later' }));
    const { samples } = await scrape(m);
    expect(valueOf(samples, 'mcp_tunnel_commands_total', { channel: 'later', outcome: 'ok' })).toBe(1);
  });

  it('does not grow series or keep records however many commands it sees', async () => {
    const { source, metrics: m } = setup();
    source.entries = [{ id: 'work', status: status('work') }];
    const variety = (i: number): void =>
      m.recordCommand(
        'work',
        record({
          requestId: `r-${i}`,
          toolName: `tool-${i}`,
          method: i % 3 === 0 ? `custom/${i}` : 'tools/call',
          channel: i % 5 === 0 ? `junk-${i}` : 'main',
          outcome: i % 7 === 0 ? 'failure' : 'ok',
          queueMs: i % 11,
        }),
      );
    for (let i = 0; i < 200; i++) variety(i);
    const lines = (await m.text()).split('\n').length;
    for (let i = 200; i < 20_000; i++) variety(i);
    expect((await m.text()).split('\n').length).toBe(lines);
  });
});
