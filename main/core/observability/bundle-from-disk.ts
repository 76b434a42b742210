/**
 * Builds a support bundle from what is on disk (the rotated file logs) plus, when a running
 * daemon can be asked, its live status, metrics and doctor results. `fetchLive` is optional and
 * injected (the daemon admin API client); its failure never fails the bundle, it becomes a note.
 */
import { readLogFiles } from './file-log-read.js';
import { logFilePaths } from './file-log.js';
import { redactText } from './redact.js';
import { createSupportBundle, type SupportBundle } from './support-bundle.js';

export interface LiveBundleData {
  status?: unknown;
  metricsText?: string;
  doctor?: unknown;
}

export interface BuildBundleFromDiskOptions {
  logDir: string;
  logFileName?: string;
  windowMinutes?: number;
  /** Epoch milliseconds; default Date.now(). */
  now?: number;
  version: string;
  configs?: Array<{ name: string; config: unknown }>;
  fetchLive?: () => Promise<LiveBundleData>;
}

export interface DiskSupportBundle extends SupportBundle {
  /** Things the user should know (no log files, daemon unreachable); also in notes.txt. */
  warnings: string[];
}

export async function buildBundleFromDisk(options: BuildBundleFromDiskOptions): Promise<DiskSupportBundle> {
  const now = options.now ?? Date.now();
  const windowMinutes = options.windowMinutes ?? 60;
  const warnings: string[] = [];
  const logs = await readLogFiles(options.logDir, now - windowMinutes * 60_000, {
    fileName: options.logFileName,
  });
  if (logFilePaths(options.logDir, options.logFileName).length === 0) {
    warnings.push(
      `No log files found in ${options.logDir}: pass --log-dir (or set MCP_TUNNEL_LOG_DIR) to where the daemon writes its logs.`,
    );
  }
  let live: LiveBundleData = {};
  if (options.fetchLive) {
    try {
      live = await options.fetchLive();
    } catch (error) {
      const reason = redactText(error instanceof Error ? error.message : String(error));
      warnings.push(
        `Could not get live status, metrics and doctor results from the daemon (${reason}); the bundle has the files on disk only.`,
      );
    }
  }
  const bundle = await createSupportBundle({
    now,
    windowMinutes,
    logs,
    version: options.version,
    ...(options.configs ? { configs: options.configs } : {}),
    ...(live.metricsText !== undefined ? { metricsText: live.metricsText } : {}),
    ...(live.status !== undefined ? { status: live.status } : {}),
    ...(live.doctor !== undefined ? { doctor: live.doctor } : {}),
    ...(warnings.length > 0 ? { extra: { 'notes.txt': `${warnings.join('\n')}\n` } } : {}),
  });
  return { ...bundle, warnings };
}
