/**
 * The metrics wired to a real Tunnel (over a fake control plane and channel): the dispatcher's
 * records and the tunnel's status end up in the exposition and the UI series.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTunnel, type Tunnel } from '../../../../main/core/engine/tunnel.js';
import { createEngineMetrics, type EngineMetrics } from '../../../../main/core/observability/metrics.js';
import { FakeChannel, untilAborted } from '../engine/fakes/fake-channel.js';
import { FakeClock } from '../engine/fakes/fake-clock.js';
import {
  FakeControlPlaneClient,
  jsonrpcCommand,
  pollResult,
} from '../engine/fakes/fake-control-plane-client.js';
import { parseExposition, valueOf } from './metrics-fixtures.js';

let tunnel: Tunnel | undefined;
let metrics: EngineMetrics | undefined;
afterEach(async () => {
  metrics?.close();
  await tunnel?.stop();
  metrics = undefined;
  tunnel = undefined;
});

describe('engine metrics over a real Tunnel', () => {
  it('counts what the tunnel polled and finished, with bounded labels', async () => {
    const clock = new FakeClock();
    const client = new FakeControlPlaneClient(() => clock.now());
    const main = new FakeChannel('main');
    const id = 'work';
    const ref: { tunnel?: Tunnel } = {};
    const m = createEngineMetrics({
      source: {
        tunnels: () => (ref.tunnel ? [{ id, status: ref.tunnel.status(), instance: ref.tunnel }] : []),
      },
      clock,
    });
    metrics = m;
    const built = createTunnel({
      id,
      client,
      channels: [main],
      clock,
      random: () => 0.5,
      probeOnStart: false,
      dispatcher: { onRecord: (r) => m.recordCommand(id, r) },
    });
    tunnel = built;
    ref.tunnel = built;

    client.onPoll = (options, index) =>
      index === 0
        ? Promise.resolve(
            pollResult(
              [
                jsonrpcCommand(),
                jsonrpcCommand({
                  jsonrpc: {
                    jsonrpc: '2.0',
                    id: 77,
                    method: 'tools/call',
                    params: { name: 'secret_tool_zz' },
                  },
                }),
                jsonrpcCommand({ channel: 'ghost' }),
              ],
              clock.now(),
            ),
          )
        : untilAborted(options.signal);
    await built.start();
    await built.whenReady();
    await clock.advance(0);
    expect(client.posted).toHaveLength(3);

    const text = await m.text();
    expect(text).not.toContain('secret_tool_zz');
    expect(text).not.toContain('ghost');
    const { samples } = parseExposition(text);
    expect(valueOf(samples, 'commands_polled_total', { tunnel: id })).toBe(3);
    expect(valueOf(samples, 'mcp_tunnel_state', { tunnel: id, state: 'ready' })).toBe(1);
    expect(valueOf(samples, 'mcp_tunnel_channel_up', { tunnel: id, channel: 'main' })).toBe(1);
    expect(
      valueOf(samples, 'mcp_tunnel_commands_total', { tunnel: id, channel: 'main', outcome: 'ok' }),
    ).toBe(2);
    const unknownChannel = samples.filter(
      (s) => s.name === 'mcp_tunnel_commands_total' && s.labels.channel === 'other',
    );
    expect(unknownChannel.map((s) => s.value)).toEqual([1]);
    const count = 'command_end_to_end_latency_seconds_count';
    expect(valueOf(samples, count, { channel: 'main', request_method: 'tools/list' })).toBe(1);
    expect(valueOf(samples, count, { channel: 'main', request_method: 'tools/call' })).toBe(1);

    await clock.advance(5000);
    expect(m.snapshot().points[0]).toMatchObject({ requests: 3, inflight: 0, running: 0 });
  });
});
