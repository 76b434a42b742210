/**
 * `mcp-tunnel bundle`: write a redacted support bundle (.tar.gz) from the file logs and, when a
 * running daemon is reachable (injected `fetchLive`), its live status, metrics and doctor results.
 *
 *   mcp-tunnel bundle [--out PATH | --out-dir DIR] [--window MINUTES] [--log-dir DIR] [--json]
 *
 * Exit codes: 0 written, 1 could not write, 2 bad flags. `--json` prints {"path","files"}.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { buildBundleFromDisk, type LiveBundleData } from '../../core/observability/bundle-from-disk.js';
import { DEFAULT_WINDOW_MINUTES } from '../../core/observability/bundle-files.js';
import { defaultLogDir } from '../../core/observability/file-log-paths.js';
import { redactText } from '../../core/observability/redact.js';
import { PRODUCT_VERSION } from '../../core/runtime/product.js';
import { EXIT, UsageError, type CliIo } from '../cli-io.js';

export { buildBundleFromDisk } from '../../core/observability/bundle-from-disk.js';

const MAX_WINDOW_MINUTES = 30 * 24 * 60;

const USAGE = `Usage: mcp-tunnel bundle [--out PATH | --out-dir DIR] [--window MINUTES] [--log-dir DIR] [--json]

Writes mcp-tunnel-support-<UTC time>.tar.gz: manifest, README, redacted configuration, logs of the
last MINUTES (default ${DEFAULT_WINDOW_MINUTES}), and, when the daemon is running, metrics, status and doctor results.
Secrets are removed; look inside before sharing (tar -tzf FILE).

  --out PATH        write the archive to PATH
  --out-dir DIR     write it into DIR under its default name (default: the current folder)
  --window MINUTES  how far back to take logs, in minutes (up to ${MAX_WINDOW_MINUTES})
  --log-dir DIR     where the file logs are (default: $MCP_TUNNEL_LOG_DIR or the platform log folder)
  --json            print {"path", "files"} as JSON
`;

const OPTIONS = {
  out: { type: 'string' },
  'out-dir': { type: 'string' },
  window: { type: 'string' },
  'log-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export interface BundleCommandDeps {
  /** Epoch milliseconds; default Date.now. */
  now?: () => number;
  /** Live data from a running daemon (admin API); absent or failing → files on disk only. */
  fetchLive?: () => Promise<LiveBundleData>;
  /** Effective configurations to include (already resolved; redacted inside the bundle). */
  loadConfigs?: () => Promise<Array<{ name: string; config: unknown }>>;
  /** Base for relative paths and the default output folder; default process.cwd(). */
  cwd?: string;
}

interface BundleFlags {
  outPath: string | undefined;
  outDir: string | undefined;
  windowMinutes: number;
  logDir: string | undefined;
  json: boolean;
  help: boolean;
}

function parseFlags(argv: string[]): BundleFlags {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.out !== undefined && values['out-dir'] !== undefined) {
    throw new UsageError('--out and --out-dir cannot be used together: pick one.');
  }
  for (const flag of ['out', 'out-dir', 'log-dir'] as const) {
    if (values[flag] !== undefined && values[flag].trim() === '')
      throw new UsageError(`--${flag} needs a path.`);
  }
  let windowMinutes = DEFAULT_WINDOW_MINUTES;
  if (values.window !== undefined) {
    const text = values.window.trim();
    windowMinutes = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
    if (!(windowMinutes > 0 && windowMinutes <= MAX_WINDOW_MINUTES)) {
      throw new UsageError(
        `--window must be a positive number of minutes up to ${MAX_WINDOW_MINUTES}, got '${values.window}'.`,
      );
    }
  }
  return {
    outPath: values.out,
    outDir: values['out-dir'],
    windowMinutes,
    logDir: values['log-dir'],
    json: values.json ?? false,
    help: values.help ?? false,
  };
}

export async function bundleCommand(
  argv: string[],
  io: CliIo,
  deps: BundleCommandDeps = {},
): Promise<number> {
  let flags: BundleFlags;
  try {
    flags = parseFlags(argv);
  } catch (error) {
    io.stderr.write(`mcp-tunnel bundle: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (flags.help) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  const cwd = deps.cwd ?? process.cwd();
  const logDir = flags.logDir ? resolve(cwd, flags.logDir) : defaultLogDir(io.env);
  try {
    const bundle = await buildBundleFromDisk({
      logDir,
      windowMinutes: flags.windowMinutes,
      now: (deps.now ?? Date.now)(),
      version: PRODUCT_VERSION,
      ...(deps.fetchLive ? { fetchLive: deps.fetchLive } : {}),
      ...(deps.loadConfigs ? { configs: await deps.loadConfigs() } : {}),
    });
    const path = flags.outPath
      ? resolve(cwd, flags.outPath)
      : join(resolve(cwd, flags.outDir ?? '.'), bundle.fileName);
    await writePrivateFile(path, bundle.bytes);
    for (const warning of bundle.warnings) io.stderr.write(`mcp-tunnel bundle: note: ${warning}\n`);
    if (flags.json) {
      io.stdout.write(`${JSON.stringify({ path, files: bundle.files }, null, 2)}\n`);
    } else {
      io.stdout.write(`Support bundle written to ${path} (${bundle.bytes.length} bytes):\n`);
      for (const file of bundle.files) {
        io.stdout.write(
          `  ${file.name.padEnd(22)} ${String(file.bytes).padStart(9)} B  ${file.description}\n`,
        );
      }
      io.stdout.write(
        `Secrets were replaced by [REDACTED]. Look inside before sharing: tar -tzf '${path}'\n`,
      );
    }
    return EXIT.ok;
  } catch (error) {
    const reason = redactText(error instanceof Error ? error.message : String(error));
    io.stderr.write(`mcp-tunnel bundle: could not write the support bundle: ${reason}\n`);
    return EXIT.failure;
  }
}

/** Written next to the target, then renamed: never a half archive, always mode 0600. */
async function writePrivateFile(path: string, bytes: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, bytes, { mode: 0o600, flag: 'wx' });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
