/**
 * `mcp-tunnel health`: ask a running daemon whether it is alive and ready (its /healthz and
 * /readyz), for scripts and orchestrators that cannot speak HTTP themselves.
 *
 *   health [--health.listen-addr HOST:PORT | --url URL | --info-file PATH] [--json]
 *
 * Exit codes: 0 ready; 1 alive but not ready, or unreachable; 2 bad command line.
 * --json prints {"url", "alive", "ready", "reasons": [...]}.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { EXIT, type CliIo } from '../cli-io.js';

const USAGE = `Usage: mcp-tunnel health [--health.listen-addr HOST:PORT | --url URL | --info-file PATH] [--json]

Asks a running mcp-tunnel whether it is alive (/healthz) and ready (/readyz). Without options
it uses HEALTH_LISTEN_ADDR. Exit 0 when ready, 1 otherwise.
`;

export interface HealthReport {
  url: string;
  alive: boolean;
  ready: boolean;
  reasons: string[];
}

export async function healthCommand(argv: string[], io: CliIo): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (err) {
    io.stderr.write(`mcp-tunnel health: ${(err as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  let base: string | undefined;
  try {
    base = await baseUrl(values, io.env);
  } catch (err) {
    io.stderr.write(`mcp-tunnel health: ${(err as Error).message}\n`);
    return EXIT.usage;
  }
  if (!base) {
    io.stderr.write(
      `mcp-tunnel health: say where the daemon listens: --health.listen-addr HOST:PORT, --url or --info-file (or set HEALTH_LISTEN_ADDR).\n`,
    );
    return EXIT.usage;
  }
  const report = await check(base);
  if (values.json) io.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    io.stdout.write(
      `${report.url}: ${report.alive ? 'alive' : 'not reachable'}, ${report.ready ? 'ready' : 'not ready'}\n`,
    );
    for (const reason of report.reasons) io.stdout.write(`  - ${reason}\n`);
  }
  return report.ready ? EXIT.ok : EXIT.failure;
}

async function check(base: string): Promise<HealthReport> {
  const report: HealthReport = { url: base, alive: false, ready: false, reasons: [] };
  try {
    const healthz = await request(`${base}/healthz`, { headersTimeout: 5000, bodyTimeout: 5000 });
    await healthz.body.dump();
    report.alive = healthz.statusCode === 200;
    const readyz = await request(`${base}/readyz`, { headersTimeout: 5000, bodyTimeout: 5000 });
    const body = (await readyz.body.json().catch(() => ({}))) as { reasons?: unknown };
    report.ready = readyz.statusCode === 200;
    if (Array.isArray(body.reasons)) report.reasons = body.reasons.map(String);
    if (!report.alive) report.reasons.unshift(`/healthz answered HTTP ${healthz.statusCode}`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).name;
    report.reasons.push(`cannot reach ${base} (${code}): is mcp-tunnel run listening there?`);
  }
  return report;
}

async function baseUrl(
  values: ReturnType<typeof parse>['values'],
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  if (values.url) return new URL(values.url).origin;
  if (values['info-file']) {
    const info = JSON.parse(await readFile(values['info-file'], 'utf8')) as { admin_url?: string };
    if (!info.admin_url)
      throw new Error(
        `${values['info-file']} has no admin_url: pass the file written by 'mcp-tunnel run --info-file'.`,
      );
    return new URL(info.admin_url).origin;
  }
  const addr = values['health.listen-addr'] ?? env.HEALTH_LISTEN_ADDR;
  if (!addr) return undefined;
  if (!/^[^:]*:\d+$|^\[[^\]]+\]:\d+$/.test(addr)) throw new Error(`'${addr}' is not HOST:PORT.`);
  return `http://${addr.startsWith(':') ? `127.0.0.1${addr}` : addr}`;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      'health.listen-addr': { type: 'string' },
      url: { type: 'string' },
      'info-file': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
