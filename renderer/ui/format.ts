/** Small, pure formatting for the UI: times, durations, sizes, state words. */
import type { ConnectionKind, TunnelStateKind } from '../../preload/contract/index.js';

export function formatRelative(at: number | undefined, now: number): string {
  if (at === undefined) return 'never';
  const s = Math.round((now - at) / 1000);
  if (s < 2) return 'just now';
  if (s < 60) return `${s}s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${m % 60} min ago`;
  return `${Math.floor(h / 24)} d ago`;
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** `14:03:07.123` in local time. */
export function formatClock(at: number, withMs = true): string {
  const d = new Date(at);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const base = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return withMs ? `${base}.${p(d.getMilliseconds(), 3)}` : base;
}

export function formatCount(n: number): string {
  return new Intl.NumberFormat('en', { notation: n >= 10_000 ? 'compact' : 'standard' }).format(n);
}

export const STATE_LABEL: Record<TunnelStateKind, string> = {
  stopped: 'Stopped',
  starting: 'Starting',
  ready: 'Ready',
  degraded: 'Degraded',
  auth_failed: 'Key rejected',
  error: 'Error',
  stopping: 'Stopping',
};

export type Tone = 'ok' | 'warn' | 'bad' | 'busy' | 'idle';

export const STATE_TONE: Record<TunnelStateKind, Tone> = {
  stopped: 'idle',
  starting: 'busy',
  ready: 'ok',
  degraded: 'warn',
  auth_failed: 'bad',
  error: 'bad',
  stopping: 'busy',
};

export const CONNECTION_LABEL: Record<ConnectionKind, string> = {
  openai: 'OpenAI control plane',
  relay: 'Self-hosted relay',
  demo: 'Local demo',
};

export function sumValues(record: Record<string, number>): number {
  let n = 0;
  for (const v of Object.values(record)) n += v;
  return n;
}
