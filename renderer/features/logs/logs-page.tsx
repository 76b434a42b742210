/** Logs: the live tail with view filters and pause, plus the daemon's runtime log level. */
import { useDeferredValue, useLayoutEffect, useMemo, useRef } from 'react';
import type { LogLevel } from '../../../preload/contract/index.js';
import { LOG_LEVELS, filterLogs } from '../../store/logs-slice.js';
import { useSlice, useStores } from '../../store/stores-context.js';
import { LogRow } from './log-row.js';

const SHOWN = 1000;

export function LogsPage() {
  const entries = useSlice('logs', (s) => s.entries);
  const heldCount = useSlice('logs', (s) => s.held.length);
  const paused = useSlice('logs', (s) => s.paused);
  const filter = useSlice('logs', (s) => s.filter);
  const level = useSlice('logs', (s) => s.level);
  const levelBusy = useSlice('logs', (s) => s.levelBusy);
  const error = useSlice('logs', (s) => s.error);
  const { setPaused, setFilter, clear, setLevel } = useStores().logs.getState();
  const text = useDeferredValue(filter.text);

  const visible = useMemo(() => {
    const all = filterLogs(entries, { minLevel: filter.minLevel, text });
    return all.length > SHOWN ? all.slice(all.length - SHOWN) : all;
  }, [entries, filter.minLevel, text]);

  const list = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  useLayoutEffect(() => {
    const el = list.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [visible]);

  return (
    <>
      <header className="page-head">
        <div>
          <h1>Logs</h1>
          <p className="page-head__sub">Live from the daemon. Secrets are redacted before they are logged.</p>
        </div>
        <label className="field field--inline runtime-level">
          <span className="field__label">Daemon log level</span>
          <select
            className="input"
            value={level ?? ''}
            disabled={!level || levelBusy}
            onChange={(e) => void setLevel(e.target.value as LogLevel)}
            aria-describedby="runtime-level-help"
          >
            {!level ? <option value="">…</option> : null}
            {LOG_LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <span id="runtime-level-help" className="visually-hidden">
          Changes what the daemon records from now on, until it restarts.
        </span>
      </header>
      <div className="toolbar">
        <label className="field">
          <span className="field__label">Filter</span>
          <input
            type="search"
            className="input"
            placeholder="message, scope or field"
            value={filter.text}
            onChange={(e) => setFilter({ text: e.target.value })}
          />
        </label>
        <label className="field">
          <span className="field__label">Show</span>
          <select
            className="input"
            value={filter.minLevel}
            onChange={(e) => setFilter({ minLevel: e.target.value as LogLevel })}
          >
            <option value="debug">All levels</option>
            <option value="info">Info and above</option>
            <option value="warn">Warnings and errors</option>
            <option value="error">Errors only</option>
          </select>
        </label>
        <button
          type="button"
          className={`btn${paused ? ' btn--primary' : ''}`}
          onClick={() => setPaused(!paused)}
        >
          {paused ? `Resume${heldCount ? ` (${heldCount} new)` : ''}` : 'Pause'}
        </button>
        <button type="button" className="btn btn--ghost" onClick={clear}>
          Clear
        </button>
        <span className="toolbar__spacer" />
        <span className="muted" role="status">
          {paused ? 'Paused · ' : ''}
          {visible.length} of {entries.length} entries
        </span>
      </div>
      {error ? (
        <div className="alert alert--bad" role="alert">
          {error}
        </div>
      ) : null}
      <div
        className="card card--flush logs"
        ref={list}
        role="log"
        aria-live="off"
        aria-label="Log entries"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
        data-testid="log-list"
      >
        {visible.length === 0 ? (
          <p className="empty muted">
            {entries.length ? 'No entries match the filter.' : 'No log entries yet.'}
          </p>
        ) : (
          visible.map((e) => <LogRow key={e.seq} entry={e} />)
        )}
      </div>
    </>
  );
}
