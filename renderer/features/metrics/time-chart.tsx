/**
 * A live time-series chart on uPlot (small, fast, canvas). The chart is created once per colour
 * scheme and fed with `setData` afterwards; its width follows the container. Colours come from
 * CSS custom properties (`--series-1` …), so light and dark themes apply. Screen readers get a
 * text summary instead of the canvas. When the environment has no canvas (tests under jsdom
 * without a canvas stub) the chart degrades to that summary.
 */
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  /** Index into the theme palette (`--series-N`). */
  color: number;
  values: Array<number | null>;
}

export interface TimeChartProps {
  title: string;
  /** Seconds since the epoch, one per point. */
  times: number[];
  series: ChartSeries[];
  format: (v: number) => string;
  kind?: 'line' | 'area' | 'bars' | 'step';
  /** The x window in seconds since the epoch ([start, end]); default: fit the data. */
  window?: [number, number];
  /** Whole-number values (counts): no fractional ticks. */
  integer?: boolean;
  height?: number;
}

function useColorScheme(): string {
  const [scheme, setScheme] = useState(() =>
    typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light',
  );
  useEffect(() => {
    if (typeof matchMedia !== 'function') return;
    const q = matchMedia('(prefers-color-scheme: dark)');
    const on = () => setScheme(q.matches ? 'dark' : 'light');
    q.addEventListener?.('change', on);
    return () => q.removeEventListener?.('change', on);
  }, []);
  return scheme;
}

function cssVar(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

function canDraw(): boolean {
  try {
    return Boolean(document.createElement('canvas').getContext('2d'));
  } catch {
    return false;
  }
}

const FALLBACK = ['#4f6bed', '#1f9d74', '#d9822b', '#d64545', '#8a63d2'];

function seriesOptions(
  el: Element,
  s: ChartSeries,
  kind: TimeChartProps['kind'],
  format: (v: number) => string,
): uPlot.Series {
  const color = cssVar(el, `--series-${s.color}`, FALLBACK[(s.color - 1) % FALLBACK.length] ?? '#4f6bed');
  const base: uPlot.Series = {
    label: s.label,
    stroke: color,
    width: 1.75,
    value: (_u, v) => (v == null ? '—' : format(v)),
  };
  if (kind === 'area') return { ...base, fill: `${color}22` };
  if (kind === 'bars')
    return { ...base, fill: `${color}cc`, width: 0, paths: uPlot.paths.bars!({ size: [0.7, 24] }) };
  if (kind === 'step') return { ...base, paths: uPlot.paths.stepped!({ align: 1 }) };
  return base;
}

const INTEGER_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000];

export function TimeChart({
  title,
  times,
  series,
  format,
  kind = 'line',
  integer = false,
  window,
  height = 180,
}: TimeChartProps) {
  const windowRef = useRef(window);
  windowRef.current = window;
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const scheme = useColorScheme();
  const [failed, setFailed] = useState(false);
  const data: uPlot.AlignedData = [times, ...series.map((s) => s.values)];
  const dataRef = useRef(data);
  dataRef.current = data;
  const shape = series.map((s) => `${s.label}:${s.color}`).join('|');

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const axis = cssVar(el, '--chart-axis', '#6b7280');
    const grid = cssVar(el, '--chart-grid', 'rgba(127,127,127,0.15)');
    const font = `11px ${cssVar(el, '--font-ui', 'system-ui, sans-serif')}`;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth || 480),
      height,
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      legend: { live: false },
      scales: {
        x: {
          time: true,
          range: (_u, min, max) => windowRef.current ?? [min, max],
        },
        y: {
          range: (_u, _min, max) => [
            0,
            max > 0 ? (integer ? Math.max(2, Math.ceil(max * 1.15)) : max * 1.15) : integer ? 2 : 1,
          ],
        },
      },
      axes: [
        { stroke: axis, font, grid: { stroke: grid, width: 1 }, ticks: { show: false } },
        {
          stroke: axis,
          font,
          size: 56,
          grid: { stroke: grid, width: 1 },
          ...(integer ? { incrs: INTEGER_STEPS } : {}),
          ticks: { show: false },
          values: (_u, vals) => vals.map((v) => format(v)),
        },
      ],
      series: [{}, ...series.map((s) => seriesOptions(el, s, kind, format))],
    };
    let chart: uPlot;
    try {
      if (!canDraw()) throw new Error('no 2D canvas');
      chart = new uPlot(opts, dataRef.current, el);
    } catch {
      setFailed(true);
      return;
    }
    plot.current = chart;
    const ro =
      typeof ResizeObserver === 'function'
        ? new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height }))
        : undefined;
    ro?.observe(el);
    return () => {
      ro?.disconnect();
      chart.destroy();
      plot.current = undefined;
    };
    // Re-create only when the series set, kind or colour scheme changes; data flows via setData.
  }, [shape, kind, scheme, height, integer]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  const summary = series
    .map((s) => {
      const last = [...s.values].reverse().find((v) => v != null);
      const max = s.values.reduce<number>((m, v) => (v != null && v > m ? v : m), 0);
      return `${s.label}: latest ${last == null ? 'no data' : format(last)}, peak ${format(max)}`;
    })
    .join('; ');

  return (
    <figure className="chart" aria-label={title}>
      <figcaption className="chart__title">{title}</figcaption>
      <div className="chart__plot" ref={host} aria-hidden="true" data-testid={`chart-${title}`} />
      <p className={failed ? 'chart__fallback' : 'visually-hidden'}>{summary}</p>
    </figure>
  );
}
