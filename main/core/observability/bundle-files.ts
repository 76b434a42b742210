/**
 * Renders the files of a support bundle (text, already redacted twice: once structurally, then
 * once more as text right before packing). Pure: no I/O, no clock.
 */
import { createHash } from 'node:crypto';
import type { BundleFileInfo } from '../../../preload/contract/dto.js';
import { jsonSafeReplacer, logEntryLine } from './file-log-format.js';
import type { LogEntry } from './logger.js';
import { redactConfigValue } from './redacted-config.js';
import { redactFields, redactText } from './redact.js';

export interface SupportBundleInput {
  /** Logs from the last N minutes before `now` (default 60). */
  windowMinutes?: number;
  /** Epoch milliseconds: the bundle's creation time and the end of the log window. */
  now: number;
  logs: LogEntry[];
  /** Prometheus text exposition (a /metrics snapshot). */
  metricsText?: string;
  status?: unknown;
  doctor?: unknown;
  /** Effective configurations (pass redactedConfig(...) results; raw ones are redacted here too). */
  configs?: Array<{ name: string; config: unknown }>;
  version: string;
  /** Additional text files to include, by file name (letters, digits, `.`, `_`, `-`). */
  extra?: Record<string, string>;
}

export interface RenderedFile {
  name: string;
  description: string;
  data: Buffer;
}

export interface BundleWindow {
  minutes: number;
  fromMs: number;
  toMs: number;
}

export class SupportBundleError extends Error {
  constructor(
    readonly code: 'bundle_window_invalid' | 'bundle_extra_name_invalid',
    message: string,
  ) {
    super(message);
  }
}

export const DEFAULT_WINDOW_MINUTES = 60;

export const FILE_DESCRIPTIONS = {
  'manifest.json':
    'What is in this bundle: version, creation time, log window, every file with its size and SHA-256.',
  'README.txt': 'This explanation.',
  'config.redacted.json': 'The effective configuration of each tunnel, with secrets replaced by [REDACTED].',
  'logs.ndjson': 'Log entries from the time window, one JSON object per line (secrets removed).',
  'metrics.prom': 'A snapshot of the Prometheus metrics (/metrics) when the bundle was made.',
  'status.json': 'Status of every tunnel and channel when the bundle was made.',
  'doctor.json': 'Results of the doctor checks: each with status, summary, evidence and next step.',
} as const;

const EXTRA_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const EXTRA_DESCRIPTION = 'Additional diagnostics supplied when the bundle was made.';

export function bundleWindow(input: Pick<SupportBundleInput, 'windowMinutes' | 'now'>): BundleWindow {
  const minutes = input.windowMinutes ?? DEFAULT_WINDOW_MINUTES;
  if (!Number.isFinite(minutes) || minutes <= 0) {
    throw new SupportBundleError(
      'bundle_window_invalid',
      `The log window must be a positive number of minutes, got ${minutes}.`,
    );
  }
  return { minutes, fromMs: input.now - minutes * 60_000, toMs: input.now };
}

/** Every file except manifest.json, in archive order, README first; and the log entry count. */
export function renderContentFiles(
  input: SupportBundleInput,
  window: BundleWindow,
): { files: RenderedFile[]; logCount: number } {
  const files: RenderedFile[] = [];
  const omitted: string[] = [];
  const add = (name: string, description: string, text: string): void => {
    files.push({ name, description, data: Buffer.from(redactText(text), 'utf8') });
  };

  if (input.configs) {
    const tunnels = input.configs.map(({ name, config }) => ({
      name: redactText(name),
      config: redactConfigValue(config),
    }));
    add('config.redacted.json', FILE_DESCRIPTIONS['config.redacted.json'], json({ tunnels }));
  } else omitted.push('config.redacted.json (no configuration was available)');

  const logs = windowLogs(input.logs, window);
  add(
    'logs.ndjson',
    FILE_DESCRIPTIONS['logs.ndjson'],
    logs.map((e) => logEntryLine(redactFields(e))).join(''),
  );

  if (input.metricsText !== undefined)
    add('metrics.prom', FILE_DESCRIPTIONS['metrics.prom'], input.metricsText);
  else omitted.push('metrics.prom (no running daemon answered)');
  if (input.status !== undefined)
    add('status.json', FILE_DESCRIPTIONS['status.json'], json(redactConfigValue(input.status)));
  else omitted.push('status.json (no running daemon answered)');
  if (input.doctor !== undefined)
    add('doctor.json', FILE_DESCRIPTIONS['doctor.json'], json(redactConfigValue(input.doctor)));
  else omitted.push('doctor.json (doctor was not run)');

  for (const [name, text] of Object.entries(input.extra ?? {})) {
    if (!EXTRA_NAME.test(name) || name in FILE_DESCRIPTIONS || files.some((f) => f.name === name)) {
      throw new SupportBundleError(
        'bundle_extra_name_invalid',
        `Extra bundle file name '${name}' is not allowed: use letters, digits, '.', '_' or '-', and not a standard file name.`,
      );
    }
    add(name, EXTRA_DESCRIPTION, text);
  }

  const readme = readmeText(input, window, files, omitted, logs.length);
  const readmeFile = {
    name: 'README.txt',
    description: FILE_DESCRIPTIONS['README.txt'],
    data: Buffer.from(redactText(readme), 'utf8'),
  };
  return { files: [readmeFile, ...files], logCount: logs.length };
}

export function renderManifest(
  input: SupportBundleInput,
  window: BundleWindow,
  files: RenderedFile[],
  logCount: number,
): RenderedFile {
  const manifest = {
    format: 'mcp-tunnel-support-bundle',
    format_version: 1,
    product: 'mcp-tunnel',
    version: input.version,
    created_at: iso(input.now),
    window: { minutes: window.minutes, from: iso(window.fromMs), to: iso(window.toMs) },
    log_entries: logCount,
    secrets_redacted: true,
    files: files.map((f) => ({
      name: f.name,
      bytes: f.data.length,
      sha256: createHash('sha256').update(f.data).digest('hex'),
      description: f.description,
    })),
  };
  return {
    name: 'manifest.json',
    description: FILE_DESCRIPTIONS['manifest.json'],
    data: Buffer.from(redactText(json(manifest)), 'utf8'),
  };
}

export function windowLogs(logs: LogEntry[], window: BundleWindow): LogEntry[] {
  return logs
    .filter((e) => e.time >= window.fromMs && e.time <= window.toMs)
    .map((e, i) => [e, i] as const)
    .sort((a, b) => a[0].time - b[0].time || a[1] - b[1])
    .map(([e]) => e);
}

export function fileInfo(file: RenderedFile): BundleFileInfo {
  return { name: file.name, bytes: file.data.length, description: file.description };
}

function readmeText(
  input: SupportBundleInput,
  window: BundleWindow,
  files: RenderedFile[],
  omitted: string[],
  logCount: number,
): string {
  const lines = [
    'MCP Tunnel support bundle',
    '=========================',
    '',
    `Created:      ${iso(input.now)}`,
    `Version:      mcp-tunnel ${input.version}`,
    `Log window:   ${window.minutes} minutes (${iso(window.fromMs)} to ${iso(window.toMs)}), ${logCount} entries`,
    '',
    'Files',
    '-----',
    `manifest.json         ${FILE_DESCRIPTIONS['manifest.json']}`,
    `README.txt            ${FILE_DESCRIPTIONS['README.txt']}`,
    ...files.map((f) => `${f.name.padEnd(21)} ${f.description}`),
  ];
  if (omitted.length > 0) lines.push('', 'Not included', '------------', ...omitted);
  lines.push(
    '',
    'Secrets',
    '-------',
    'API keys, connector and shard tokens, Authorization and other header values, cookies,',
    'private keys, environment variable values of MCP servers, passwords in URLs and URL query',
    'strings were replaced by [REDACTED] before anything was written here; every file was then',
    'scanned for secret shapes a second time. Certificates appear only as SHA-256 fingerprints.',
    '',
    'Sharing',
    '-------',
    'This is a plain .tar.gz: look inside before sending it (tar -tzf lists it, tar -xzf unpacks',
    'it). It still shows host names, tunnel ids, server commands and tool names, so attach it to',
    'your support ticket rather than posting it publicly.',
    '',
  );
  return lines.join('\n');
}

function json(value: unknown): string {
  return `${JSON.stringify(value, jsonSafeReplacer, 2)}\n`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
