/** One request in full: identity, timing, result, sizes and its redacted headers. Never the payloads. */
import type { ReactNode } from 'react';
import type { RequestRecordDto } from '../../../preload/contract/index.js';
import { outcomeTone } from '../../store/requests-slice.js';
import { Badge } from '../../ui/badge.js';
import { formatBytes, formatClock, formatMs } from '../../ui/format.js';
import { LatencyBar, totalMs } from './latency-bar.js';

export function RequestDetail({ record, onClose }: { record: RequestRecordDto; onClose: () => void }) {
  const headers = Object.entries(record.headers).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section className="card detail" aria-labelledby="request-detail-title">
      <header className="detail__head">
        <h2 id="request-detail-title">
          <span className="mono">{record.method ?? record.commandType}</span>
          {record.toolName ? <span className="detail__tool"> {record.toolName}</span> : null}
        </h2>
        <button
          type="button"
          className="btn btn--small btn--ghost"
          onClick={onClose}
          aria-label="Close request details"
        >
          Close
        </button>
      </header>
      <LatencyBar record={record} scaleMs={totalMs(record)} />
      <dl className="kv kv--compact">
        <Row label="Outcome">
          <Badge tone={outcomeTone(record)}>{record.outcome}</Badge>
          {record.failureSource ? <span className="muted"> from {record.failureSource}</span> : null}
        </Row>
        <Row label="HTTP status">{record.status ?? '—'}</Row>
        <Row label="Started">{`${new Date(record.startedAt).toLocaleDateString()} ${formatClock(record.startedAt)}`}</Row>
        <Row label="Queue">{formatMs(record.queueMs)}</Row>
        <Row label="MCP server">{formatMs(record.mcpMs)}</Row>
        <Row label="Response post">{formatMs(record.postMs)}</Row>
        <Row label="Request size">{formatBytes(record.requestBytes)}</Row>
        <Row label="Response size">{formatBytes(record.responseBytes)}</Row>
        <Row label="Channel">
          <span className="mono">{record.channel}</span>
        </Row>
        <Row label="Tunnel">
          <span className="mono">{record.tunnel}</span>
        </Row>
        <Row label="Command">
          <span className="mono">{record.commandType}</span>
        </Row>
        <Row label="Request ID">
          <span className="mono wrap">{record.requestId}</span>
        </Row>
      </dl>
      <h3 className="section-title">Headers (redacted)</h3>
      {headers.length ? (
        <table className="table table--compact">
          <caption className="visually-hidden">Request headers, secrets redacted</caption>
          <tbody>
            {headers.map(([name, value]) => (
              <tr key={name}>
                <th scope="row" className="mono">
                  {name}
                </th>
                <td className="mono wrap">{Array.isArray(value) ? value.join(', ') : value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No headers.</p>
      )}
      <p className="note">Payload bodies are never stored; only sizes are kept.</p>
    </section>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="kv__row">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
