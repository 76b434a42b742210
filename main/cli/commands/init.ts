/**
 * `mcp-tunnel init`: writes a profile from a sample. The reference client's flags work
 * unchanged:
 *
 *   mcp-tunnel init --sample sample_mcp_stdio_local --profile local-jira \
 *     --tunnel-id tunnel_… --mcp-command "python /opt/jira.py" \
 *     [--mcp-server-url URL] [--control-plane-base-url URL] [--control-plane-url-path PATH]
 *     [--control-plane-api-key-ref env:CONTROL_PLANE_API_KEY] [--health-listen-addr 127.0.0.1:0]
 *     [--open-web-ui] [--profile-dir DIR] [--force]
 *   ours: [--display-name TEXT] [--connection openai|relay|demo] [--autostart|--no-autostart] [--json]
 *   mcp-tunnel init --list-samples
 *
 * The dotted run flags (--control-plane.poll-timeout, --log.level, --mcp.extra-headers, …) are
 * accepted too and written into the profile. Without --force an existing profile is kept
 * (exit 2). The file never holds a secret: the API key is a reference.
 *
 * --json prints `{"name": string, "file": string, "sample": string}`.
 * Exit codes: 0 written; 2 bad flags or invalid profile (nothing written); 1 write failure.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../../core/profiles/env-config.js';
import { applyEdits, type ProfileEdits } from '../../core/profiles/profile-edits.js';
import { flagOverrides, PROFILE_FLAG_OPTIONS } from '../../core/profiles/profile-flags.js';
import { resolveProfileDir } from '../../core/profiles/profile-paths.js';
import { ProfileStore } from '../../core/profiles/profile-store.js';
import { CONNECTION_KINDS, type ConnectionKind } from '../../core/profiles/profile-types.js';
import { parseProfileText } from '../../core/profiles/profile-yaml.js';
import { defaultSampleFor, renderSample, SAMPLES, type SampleRequest } from '../../core/profiles/samples.js';
import { EXIT, UsageError, type CliIo } from '../cli-io.js';

export const PROFILE_WRITE_OPTIONS = {
  ...PROFILE_FLAG_OPTIONS,
  'profile-dir': { type: 'string' },
  'tunnel-id': { type: 'string' },
  'api-key-ref': { type: 'string' },
  'open-web-ui': { type: 'boolean' },
  'display-name': { type: 'string' },
  connection: { type: 'string' },
  autostart: { type: 'boolean' },
  'no-autostart': { type: 'boolean' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const INIT_OPTIONS = {
  ...PROFILE_WRITE_OPTIONS,
  sample: { type: 'string' },
  profile: { type: 'string' },
  'list-samples': { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

type ParsedWith<O extends ParseArgsConfig['options']> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;
/** parseArgs values for PROFILE_WRITE_OPTIONS (a superset of options is fine). */
export type ProfileWriteValues = ParsedWith<typeof PROFILE_WRITE_OPTIONS>['values'];

const USAGE = `Usage:
  mcp-tunnel init [--sample NAME] [--profile NAME] --tunnel-id tunnel_… (--mcp-command CMD | --mcp-server-url URL)
                  [--control-plane-base-url URL] [--control-plane-url-path PATH]
                  [--control-plane-api-key-ref env:CONTROL_PLANE_API_KEY] [--health-listen-addr HOST:PORT]
                  [--display-name TEXT] [--connection openai|relay|demo] [--autostart]
                  [--profile-dir DIR] [--force] [--json]
  mcp-tunnel init --list-samples

Samples: ${SAMPLES.map((s) => s.name).join(', ')}
`;

export async function initCommand(argv: string[], io: CliIo): Promise<number> {
  let values: ParsedWith<typeof INIT_OPTIONS>['values'];
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: INIT_OPTIONS,
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    io.stderr.write(`mcp-tunnel init: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (values['list-samples']) {
    for (const s of SAMPLES) io.stdout.write(`${s.name.padEnd(30)} ${s.summary}\n`);
    return EXIT.ok;
  }
  return runProfileWrite('init', io, async () => {
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'.`);
    const req = sampleRequestFrom(values);
    const sample = values.sample?.trim() || defaultSampleFor(req);
    const name = values.profile?.trim() || sample;
    return writeProfileFromSample(name, sample, values, io);
  });
}

/** Shared by `init` and `profiles add`: renders the sample, applies the other flags, saves. */
export async function writeProfileFromSample(
  name: string,
  sample: string,
  values: ProfileWriteValues,
  io: CliIo,
): Promise<number> {
  const store = new ProfileStore({ dir: resolveProfileDir(values['profile-dir'], { env: io.env }) });
  const req = sampleRequestFrom(values);
  const text = renderSample(sample, req);
  const { doc } = parseProfileText(text, {
    file: store.show(store.pathFor(name)),
    profileName: name,
    action: 'saved',
  });
  applyEdits(doc, extraEdits(values));
  const saved = await store.save(name, doc, { force: values.force ?? false });
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ name, file: saved.file, sample })}\n`);
  } else {
    const dirFlag = values['profile-dir'] ? ` --profile-dir ${values['profile-dir']}` : '';
    io.stdout.write(
      `Created profile ${name} at ${store.show(saved.file)}\nSample: ${sample}\nNext:\n  mcp-tunnel doctor --profile ${name}${dirFlag}\n  mcp-tunnel run --profile ${name}${dirFlag}\n`,
    );
  }
  return EXIT.ok;
}

export function sampleRequestFrom(values: ProfileWriteValues): SampleRequest {
  const o = flagOverrides(values);
  if (
    o.commands.length + o.serverUrls.length > 1 ||
    [...o.commands, ...o.serverUrls].some((t) => t.channel !== 'main')
  ) {
    throw new UsageError(
      'give one --mcp-command or one --mcp-server-url (the main channel); add more channels later with `mcp-tunnel profiles edit NAME --set …`.',
    );
  }
  const req: SampleRequest = {};
  const set = <K extends keyof SampleRequest>(key: K, value: SampleRequest[K] | undefined): void => {
    if (value !== undefined) req[key] = value;
  };
  set('tunnelId', values['tunnel-id']?.trim() || o.tunnelId);
  set('baseUrl', o.baseUrl);
  set('urlPath', o.urlPath);
  set('apiKeyRef', values['api-key-ref']?.trim() || o.apiKeyRef);
  set('healthListenAddr', o.healthListenAddr);
  set('mcpCommand', o.commands[0]?.value);
  set('mcpServerUrl', o.serverUrls[0]?.value);
  set('displayName', values['display-name']);
  set('connection', connectionFlag(values.connection));
  set('autostart', autostartFlag(values));
  return req;
}

/** Flags the sample templates do not cover, as document edits. */
export function extraEdits(values: ProfileWriteValues): ProfileEdits {
  const o = flagOverrides(values);
  const edits: ProfileEdits = {};
  const set = <K extends keyof ProfileEdits>(key: K, value: ProfileEdits[K] | undefined): void => {
    if (value !== undefined) edits[key] = value;
  };
  set('clientCert', o.clientCert);
  set('clientKey', o.clientKey);
  set('maxInflight', intFlag(o.maxInflight, '--control-plane.max-inflight-requests'));
  set('pollTimeout', o.pollTimeout);
  set('maxConcurrent', intFlag(o.maxConcurrent, '--mcp.max-concurrent-requests'));
  set('connectionMaxTtl', o.connectionMaxTtl);
  set('caBundle', o.caBundle);
  set('logLevel', o.logLevel);
  set('logFormat', o.logFormat);
  if (o.extraHeaders.length) edits.extraHeaders = headerFlags(o.extraHeaders);
  return edits;
}

export function connectionFlag(value: string | undefined): ConnectionKind | undefined {
  if (value === undefined) return undefined;
  if (!(CONNECTION_KINDS as readonly string[]).includes(value)) {
    throw new UsageError(`--connection must be one of ${CONNECTION_KINDS.join(', ')}.`);
  }
  return value as ConnectionKind;
}

export function autostartFlag(values: {
  autostart?: boolean | undefined;
  'no-autostart'?: boolean | undefined;
}): boolean | undefined {
  if (values.autostart && values['no-autostart'])
    throw new UsageError('--autostart and --no-autostart contradict each other.');
  if (values.autostart) return true;
  if (values['no-autostart']) return false;
  return undefined;
}

function intFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a whole number ≥ 1.`);
  return n;
}

/** "Name: value" flags → map (values kept as written: references stay references). */
export function headerFlags(entries: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const i = entry.indexOf(':');
    if (i <= 0)
      throw new UsageError(`--mcp.extra-headers takes 'Name: value' (got an entry without a colon).`);
    out[entry.slice(0, i).trim()] = entry.slice(i + 1).trim();
  }
  return out;
}

/** Runs a profile-writing action with the shared error → exit code mapping. */
export async function runProfileWrite(
  command: string,
  io: CliIo,
  action: () => Promise<number>,
): Promise<number> {
  try {
    return await action();
  } catch (error) {
    return reportProfileError(command, error, io);
  }
}

/** UsageError / ConfigError (incl. ProfileError) → exit 2; I/O failures → exit 1. */
export function reportProfileError(command: string, error: unknown, io: CliIo): number {
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`mcp-tunnel ${command}: ${message}\n`);
  if (
    error instanceof ConfigError &&
    (error.code === 'profile_write_failed' || error.code === 'profile_unreadable')
  )
    return EXIT.failure;
  if (error instanceof UsageError || error instanceof ConfigError) return EXIT.usage;
  return EXIT.failure;
}
