/** Requests: every finished command, newest first, with its latency as a timeline and a detail view. */
import { useDeferredValue, useMemo, useState } from 'react';
import { outcomeTone } from '../../store/requests-slice.js';
import { useSlice } from '../../store/stores-context.js';
import { Badge } from '../../ui/badge.js';
import { formatClock } from '../../ui/format.js';
import { LatencyBar, LatencyLegend, totalMs } from './latency-bar.js';
import { RequestDetail } from './request-detail.js';

const SHOWN = 200;

export function RequestsPage() {
  const records = useSlice('requests', (s) => s.records);
  const loaded = useSlice('requests', (s) => s.loaded);
  const error = useSlice('requests', (s) => s.error);
  const selectedSeq = useSlice('requests', (s) => s.selectedSeq);
  const select = useSlice('requests', (s) => s.select);
  const [text, setText] = useState('');
  const [failuresOnly, setFailuresOnly] = useState(false);
  const needle = useDeferredValue(text.trim().toLowerCase());

  const rows = useMemo(() => {
    const out = [];
    for (let i = records.length - 1; i >= 0 && out.length < SHOWN; i--) {
      const r = records[i]!;
      if (failuresOnly && outcomeTone(r) === 'ok') continue;
      if (
        needle &&
        !`${r.method ?? ''} ${r.toolName ?? ''} ${r.channel} ${r.outcome} ${r.commandType}`
          .toLowerCase()
          .includes(needle)
      )
        continue;
      out.push(r);
    }
    return out;
  }, [records, needle, failuresOnly]);
  const scaleMs = useMemo(() => rows.reduce((m, r) => Math.max(m, totalMs(r)), 0), [rows]);
  const selected = selectedSeq === undefined ? undefined : records.find((r) => r.seq === selectedSeq);

  return (
    <>
      <header className="page-head">
        <div>
          <h1>Requests</h1>
          <p className="page-head__sub">
            Commands the tunnel carried, newest first, live. Sizes and redacted headers only.
          </p>
        </div>
        <LatencyLegend />
      </header>
      <div className="toolbar">
        <label className="field">
          <span className="field__label">Filter</span>
          <input
            type="search"
            className="input"
            placeholder="method, tool, channel, outcome"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </label>
        <label className="check">
          <input type="checkbox" checked={failuresOnly} onChange={(e) => setFailuresOnly(e.target.checked)} />
          Only problems
        </label>
        <span className="toolbar__spacer" />
        <span className="muted" role="status">
          {rows.length} of {records.length} shown
        </span>
      </div>
      {error ? (
        <div className="alert alert--bad" role="alert">
          Could not load requests: {error}
        </div>
      ) : null}
      <div className={`split${selected ? ' split--open' : ''}`}>
        <div className="card card--flush">
          {loaded && records.length === 0 ? (
            <div className="empty">
              <h2>No requests yet</h2>
              <p>
                Call a tool from an MCP client connected to this tunnel; each command shows up here as it
                finishes.
              </p>
            </div>
          ) : (
            <div className="table-wrap">
              <table className="table table--rows" data-testid="requests-table">
                <caption className="visually-hidden">Recent requests, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Method</th>
                    <th scope="col" className="col-optional">
                      Channel
                    </th>
                    <th scope="col" className="num col-optional">
                      Status
                    </th>
                    <th scope="col">Outcome</th>
                    <th scope="col" className="col-latency">
                      Latency
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.seq} className={r.seq === selectedSeq ? 'is-selected' : undefined}>
                      <td className="mono muted">{formatClock(r.startedAt)}</td>
                      <td>
                        <button
                          type="button"
                          className="row-button"
                          aria-pressed={r.seq === selectedSeq}
                          onClick={() => select(r.seq === selectedSeq ? undefined : r.seq)}
                        >
                          <span className="mono">{r.method ?? r.commandType}</span>
                          {r.toolName ? <span className="tool-name">{r.toolName}</span> : null}
                        </button>
                      </td>
                      <td className="mono col-optional">{r.channel}</td>
                      <td className="num mono col-optional">{r.status ?? '—'}</td>
                      <td>
                        <Badge tone={outcomeTone(r)}>{r.outcome}</Badge>
                      </td>
                      <td>
                        <LatencyBar record={r} scaleMs={scaleMs} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
        {selected ? <RequestDetail record={selected} onClose={() => select(undefined)} /> : null}
      </div>
    </>
  );
}
