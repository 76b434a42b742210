/**
 * A request's time as a small timeline: queue, MCP work and response POST stacked left to right,
 * scaled against the slowest request in view so rows compare at a glance.
 */
import type { RequestRecordDto } from '../../../preload/contract/index.js';
import { formatMs } from '../../ui/format.js';

export function totalMs(r: RequestRecordDto): number {
  return r.queueMs + r.mcpMs + r.postMs;
}

export function LatencyBar({ record, scaleMs }: { record: RequestRecordDto; scaleMs: number }) {
  const total = totalMs(record);
  const scale = Math.max(scaleMs, total, 0.001);
  const pct = (ms: number) => `${Math.max(0, (ms / scale) * 100)}%`;
  const label = `${formatMs(total)} total: queue ${formatMs(record.queueMs)}, MCP ${formatMs(record.mcpMs)}, post ${formatMs(record.postMs)}`;
  return (
    <div className="latency" role="img" aria-label={label} title={label}>
      <div className="latency__track">
        <span className="latency__seg latency__seg--queue" style={{ width: pct(record.queueMs) }} />
        <span className="latency__seg latency__seg--mcp" style={{ width: pct(record.mcpMs) }} />
        <span className="latency__seg latency__seg--post" style={{ width: pct(record.postMs) }} />
      </div>
      <span className="latency__total">{formatMs(total)}</span>
    </div>
  );
}

export function LatencyLegend() {
  return (
    <ul className="legend" aria-label="Latency colours">
      <li>
        <span className="legend__swatch latency__seg--queue" aria-hidden="true" />
        Queue
      </li>
      <li>
        <span className="legend__swatch latency__seg--mcp" aria-hidden="true" />
        MCP server
      </li>
      <li>
        <span className="legend__swatch latency__seg--post" aria-hidden="true" />
        Response post
      </li>
    </ul>
  );
}
