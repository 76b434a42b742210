// @vitest-environment jsdom
/**
 * Metrics charts under jsdom. jsdom has no canvas, so uPlot gets a 2D context stand-in here
 * (a Proxy whose methods do nothing and whose measureText returns a width) plus matchMedia and
 * Path2D from browser-stubs. The chart's own guard, which shows a text summary when no 2D
 * canvas exists, is tested last by taking the stand-in away.
 */
import '../browser-stubs.js';
import { act, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MetricsSnapshot } from '../../../preload/contract/index.js';
import { MetricsPage } from '../../../renderer/features/metrics/metrics-page.js';
import { FakeBridge, flush } from '../fake-bridge.js';
import { renderWithStores } from '../render-with-stores.js';

function fakeContext(): CanvasRenderingContext2D {
  const state: Record<string | symbol, unknown> = { measureText: (t: string) => ({ width: t.length * 6 }) };
  return new Proxy(state, {
    get: (target, key) => (key in target ? target[key] : () => undefined),
    set: (target, key, value) => ((target[key] = value), true),
  }) as unknown as CanvasRenderingContext2D;
}

beforeEach(() => {
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation((() => fakeContext()) as never);
});
afterEach(() => vi.restoreAllMocks());

function snapshot(requests: number): MetricsSnapshot {
  const t0 = 1_700_000_000_000;
  return {
    intervalMs: 5000,
    points: [0, 1, 2].map((i) => ({
      t: t0 + i * 5000,
      requests: i === 2 ? requests : 5,
      errors: i === 1 ? 1 : 0,
      p50Ms: 2,
      p95Ms: 12,
      p99Ms: 30,
      inflight: 1,
      running: 1,
    })),
    errorsByKind: { poll_timeout: 3, mcp_transport: 1 },
  };
}

function setup() {
  let answer = snapshot(10);
  const bridge = new FakeBridge()
    .handle('status.get', () => ({ version: '0.1.0', rev: 1, tunnels: [] }))
    .handle('requests.list', () => ({ records: [] }))
    .handle('logs.tail', () => ({ entries: [], lastSeq: 0 }))
    .handle('logs.getLevel', () => ({ level: 'info' }))
    .handle('metrics.snapshot', () => answer);
  let next: (() => void) | undefined;
  const view = renderWithStores(<MetricsPage />, bridge, {
    metrics: { setTimer: (fn) => ((next = fn), 1), clearTimer: () => (next = undefined) },
  });
  return { bridge, view, setAnswer: (s: MetricsSnapshot) => (answer = s), tick: () => next?.() };
}

describe('Metrics page', () => {
  it('draws four uPlot charts and the headline numbers from metrics.snapshot', async () => {
    const { view } = setup();
    await act(flush);
    expect(view.container.querySelectorAll('.uplot')).toHaveLength(4);
    expect(view.container.querySelectorAll('.uplot canvas')).toHaveLength(4);
    for (const name of [
      'Requests per second',
      'Latency percentiles',
      'Errors per interval',
      'Queue and worker occupancy',
    ])
      expect(screen.getByRole('figure', { name })).toBeTruthy();
    const tiles = screen.getByText('Requests / s').closest('dl')!;
    expect(within(tiles).getByText('2.0')).toBeTruthy(); // 10 requests in 5 s
    expect(within(tiles).getByText('12 ms')).toBeTruthy();
    const errors = screen.getByTestId('errors-by-kind');
    expect(
      within(errors)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['poll_timeout3', 'mcp_transport1']);
    // Screen readers get the numbers as text.
    expect(screen.getByText(/p95: latest 12 ms, peak 12 ms/)).toBeTruthy();
  });

  it('polls on the snapshot interval and updates in place; stops polling when the page goes away', async () => {
    const { bridge, view, setAnswer, tick } = setup();
    await act(flush);
    setAnswer(snapshot(50));
    await act(async () => {
      tick();
      await flush();
    });
    expect(bridge.callsOf('metrics.snapshot')).toHaveLength(2);
    expect(within(screen.getByText('Requests / s').closest('dl')!).getByText('10')).toBeTruthy();
    expect(view.container.querySelectorAll('.uplot')).toHaveLength(4);
    view.unmount();
    tick();
    expect(bridge.callsOf('metrics.snapshot')).toHaveLength(2);
  });

  it('falls back to a text summary when there is no 2D canvas', async () => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation((() => null) as never);
    const { view } = setup();
    await act(flush);
    expect(view.container.querySelectorAll('.uplot')).toHaveLength(0);
    expect(view.container.querySelectorAll('.chart__fallback')).toHaveLength(4);
    expect(screen.getByText(/req\/s: latest 2\.0/)).toBeTruthy();
  });
});
