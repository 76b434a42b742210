/** Metrics: the last minutes as charts (throughput, latency, errors, occupancy) and errors by kind. */
import { useEffect, useMemo } from 'react';
import { useSlice, useStores } from '../../store/stores-context.js';
import { formatCount, formatMs } from '../../ui/format.js';
import { ErrorsByKind } from './errors-by-kind.js';
import { TimeChart } from './time-chart.js';

const rate = (v: number) => (v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(2));
const ms = (v: number) => formatMs(v);
const whole = (v: number) => String(Math.round(v));

/** At least the last 5 minutes, ending at the newest point, so a young daemon's few points sit at the right. */
function chartWindow(lastT: number, firstT: number | undefined, intervalMs: number): [number, number] {
  const end = lastT / 1000;
  const span = Math.max(300, firstT === undefined ? 0 : (lastT - firstT + intervalMs) / 1000);
  return [end - span, end];
}

export function MetricsPage() {
  const stores = useStores();
  useEffect(() => stores.metrics.getState().start(), [stores]);
  const snapshot = useSlice('metrics', (s) => s.snapshot);
  const error = useSlice('metrics', (s) => s.error);

  const view = useMemo(() => {
    if (!snapshot) return undefined;
    const perSecond = 1000 / snapshot.intervalMs;
    const pts = snapshot.points;
    const last = pts.at(-1);
    const recent = pts.slice(-12);
    return {
      times: pts.map((p) => p.t / 1000),
      rps: pts.map((p) => p.requests * perSecond),
      p50: pts.map((p) => p.p50Ms ?? null),
      p95: pts.map((p) => p.p95Ms ?? null),
      p99: pts.map((p) => p.p99Ms ?? null),
      errors: pts.map((p) => p.errors),
      inflight: pts.map((p) => p.inflight),
      running: pts.map((p) => p.running),
      lastRps: last ? last.requests * perSecond : 0,
      lastP95: [...pts].reverse().find((p) => p.p95Ms !== undefined)?.p95Ms,
      recentErrors: recent.reduce((n, p) => n + p.errors, 0),
      recentMinutes: Math.max(1, Math.round((recent.length * snapshot.intervalMs) / 60_000)),
      inflightNow: last?.inflight ?? 0,
      minutes: Math.round((pts.length * snapshot.intervalMs) / 60_000),
      window: chartWindow(pts.at(-1)?.t ?? Date.now(), pts[0]?.t, snapshot.intervalMs),
    };
  }, [snapshot]);

  return (
    <>
      <header className="page-head">
        <div>
          <h1>Metrics</h1>
          <p className="page-head__sub">
            {view
              ? `Last ${view.minutes || 1} min, one point every ${(snapshot!.intervalMs / 1000).toFixed(0)} s. Prometheus text at /metrics.`
              : 'Collecting…'}
          </p>
        </div>
      </header>
      {error ? (
        <div className={`alert ${error.code === 'unavailable' ? 'alert--info' : 'alert--bad'}`} role="alert">
          {error.message}
        </div>
      ) : null}
      {view ? (
        <>
          <dl className="stats stats--tiles">
            <div className="stat">
              <dt>Requests / s</dt>
              <dd>{rate(view.lastRps)}</dd>
            </div>
            <div className="stat">
              <dt>Latency p95</dt>
              <dd>{formatMs(view.lastP95)}</dd>
            </div>
            <div className="stat">
              <dt>Errors, last {view.recentMinutes} min</dt>
              <dd className={view.recentErrors ? 'text-bad' : undefined}>{formatCount(view.recentErrors)}</dd>
            </div>
            <div className="stat">
              <dt>In flight now</dt>
              <dd>{view.inflightNow}</dd>
            </div>
          </dl>
          <div className="chart-grid">
            <div className="card">
              <TimeChart
                title="Requests per second"
                kind="area"
                times={view.times}
                window={view.window}
                format={rate}
                series={[{ label: 'req/s', color: 1, values: view.rps }]}
              />
            </div>
            <div className="card">
              <TimeChart
                title="Latency percentiles"
                times={view.times}
                window={view.window}
                format={ms}
                series={[
                  { label: 'p50', color: 2, values: view.p50 },
                  { label: 'p95', color: 3, values: view.p95 },
                  { label: 'p99', color: 4, values: view.p99 },
                ]}
              />
            </div>
            <div className="card">
              <TimeChart
                title="Errors per interval"
                kind="bars"
                integer
                times={view.times}
                window={view.window}
                format={whole}
                series={[{ label: 'errors', color: 4, values: view.errors }]}
              />
            </div>
            <div className="card">
              <TimeChart
                title="Queue and worker occupancy"
                kind="step"
                integer
                times={view.times}
                window={view.window}
                format={whole}
                series={[
                  { label: 'in flight', color: 1, values: view.inflight },
                  { label: 'running', color: 5, values: view.running },
                ]}
              />
            </div>
          </div>
          <ErrorsByKind errors={snapshot!.errorsByKind} />
        </>
      ) : null}
    </>
  );
}
