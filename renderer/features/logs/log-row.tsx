/** One log line: time, level, scope, message and its fields as `key=value`. */
import { memo } from 'react';
import type { LogEntryDto } from '../../../preload/contract/index.js';
import { formatClock } from '../../ui/format.js';

function fieldText(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

export const LogRow = memo(function LogRow({ entry }: { entry: LogEntryDto }) {
  const fields = entry.fields ? Object.entries(entry.fields) : [];
  return (
    <div className={`log log--${entry.level}`} data-level={entry.level}>
      <time className="log__time" dateTime={new Date(entry.time).toISOString()}>
        {formatClock(entry.time)}
      </time>
      <span className="log__level">{entry.level}</span>
      <span className="log__scope">{entry.scope ?? ''}</span>
      <span className="log__msg">
        {entry.msg}
        {fields.map(([k, v]) => (
          <span key={k} className="log__field">
            {' '}
            <span className="log__key">{k}</span>={fieldText(v)}
          </span>
        ))}
      </span>
    </div>
  );
});
