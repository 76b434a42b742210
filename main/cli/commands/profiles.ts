/**
 * `mcp-tunnel profiles …`: manage stored profiles (`<profile dir>/<name>.yaml`).
 *
 *   profiles list [--json]
 *   profiles show NAME|PATH [--json]         effective settings, redacted (references, never values)
 *   profiles add NAME [init flags]           like `init --profile NAME` (--sample optional)
 *   profiles edit NAME [--tunnel-id ID] [--api-key-ref REF] [--mcp-command CMD | --mcp-server-url URL]
 *                 [--display-name T] [--connection K] [--autostart|--no-autostart]
 *                 [--set key.path=value]... [--unset key.path]... [run flags such as --log.level]
 *   profiles rm NAME
 *   profiles import PATH [--name N] [--force]
 *   profiles samples                         the samples `init --sample` knows
 * Every command takes --profile-dir DIR (else $MCP_TUNNEL_PROFILE_DIR, else the platform dir).
 *
 * JSON output (stable):
 *   list   {"profiles": [{"name","file","display_name","connection","tunnel_id","autostart",
 *                         "channels":[{"name","kind"}], "error"?: {"code","message"}}]}
 *   show   ProfileView (core/profiles/profile-summary.ts): name, file, display_name, connection,
 *          autostart, control_plane{…}, channels[…], mcp{…}, ca_bundle, http_proxy, health, log,
 *          ignored_keys[], environment_overrides[]
 *   add/edit/import  {"name","file"}        rm  {"name","removed":true}
 * Exit codes: 0 done; 2 bad flags, unknown/invalid profile or refused secret (nothing written);
 * 1 file-system failure.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { stringify } from 'yaml';
import { applyEdits, type ProfileEdits } from '../../core/profiles/profile-edits.js';
import { flagOverrides } from '../../core/profiles/profile-flags.js';
import { resolveProfileDir } from '../../core/profiles/profile-paths.js';
import { ProfileStore } from '../../core/profiles/profile-store.js';
import { listItem, profileView } from '../../core/profiles/profile-summary.js';
import { SAMPLES, defaultSampleFor } from '../../core/profiles/samples.js';
import { EXIT, UsageError, type CliIo } from '../cli-io.js';
import {
  autostartFlag,
  connectionFlag,
  extraEdits,
  PROFILE_WRITE_OPTIONS,
  reportProfileError,
  sampleRequestFrom,
  writeProfileFromSample,
} from './init.js';

const OPTIONS = {
  ...PROFILE_WRITE_OPTIONS,
  sample: { type: 'string' },
  name: { type: 'string' },
  set: { type: 'string', multiple: true },
  unset: { type: 'string', multiple: true },
} as const satisfies ParseArgsConfig['options'];

type Values = ReturnType<typeof parse>['values'];
function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

const USAGE = `Usage:
  mcp-tunnel profiles list [--json]
  mcp-tunnel profiles show NAME|PATH [--json]
  mcp-tunnel profiles add NAME [--sample S] --tunnel-id ID (--mcp-command CMD | --mcp-server-url URL) [init flags]
  mcp-tunnel profiles edit NAME [--tunnel-id ID] [--api-key-ref REF] [--mcp-command CMD | --mcp-server-url URL]
                        [--display-name TEXT] [--connection openai|relay|demo] [--autostart | --no-autostart]
                        [--set key.path=value]... [--unset key.path]...
  mcp-tunnel profiles rm NAME
  mcp-tunnel profiles import PATH [--name NAME] [--force]
  mcp-tunnel profiles samples
All take --profile-dir DIR (default $MCP_TUNNEL_PROFILE_DIR, else the platform config directory).
`;

export async function profilesCommand(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.stderr.write(`mcp-tunnel profiles: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    (values.help ? io.stdout : io.stderr).write(USAGE);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const [sub = '', ...args] = positionals;
  try {
    const store = new ProfileStore({ dir: resolveProfileDir(values['profile-dir'], { env: io.env }) });
    const arg = (what: string): string => {
      if (args.length !== 1 || !args[0]) throw new UsageError(`profiles ${sub} takes exactly one ${what}.`);
      return args[0];
    };
    switch (sub) {
      case 'list':
        if (args.length) throw new UsageError('profiles list takes no arguments.');
        return await list(store, values, io);
      case 'show':
        return await show(store, arg('profile name or path'), values, io);
      case 'add': {
        const name = arg('profile name');
        const sample = values.sample?.trim() || defaultSampleFor(sampleRequestFrom(values));
        return await writeProfileFromSample(name, sample, values, io);
      }
      case 'edit':
        return await edit(store, arg('profile name'), values, io);
      case 'rm': {
        const name = arg('profile name');
        await store.remove(name);
        io.stdout.write(
          values.json ? `${JSON.stringify({ name, removed: true })}\n` : `Removed profile ${name}.\n`,
        );
        return EXIT.ok;
      }
      case 'import': {
        const saved = await store.import(arg('file path'), {
          ...(values.name ? { name: values.name } : {}),
          force: values.force ?? false,
        });
        io.stdout.write(
          values.json
            ? `${JSON.stringify({ name: saved.name, file: saved.file })}\n`
            : `Imported profile ${saved.name} to ${store.show(saved.file)}.\n`,
        );
        return EXIT.ok;
      }
      case 'samples':
        for (const s of SAMPLES) io.stdout.write(`${s.name.padEnd(30)} ${s.summary}\n`);
        return EXIT.ok;
      default:
        throw new UsageError(`unknown command 'profiles ${sub}'.\n\n${USAGE}`);
    }
  } catch (error) {
    return reportProfileError('profiles', error, io);
  }
}

async function list(store: ProfileStore, values: Values, io: CliIo): Promise<number> {
  const items = (await store.list()).map(listItem);
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ profiles: items })}\n`);
    return EXIT.ok;
  }
  if (items.length === 0) {
    io.stdout.write(`No profiles in ${store.show(store.dir)}. Create one with \`mcp-tunnel init\`.\n`);
    return EXIT.ok;
  }
  const rows = items.map((p) => [
    p.name,
    p.connection ?? 'invalid',
    p.tunnel_id ?? '-',
    p.error ? `error: ${p.error.code}` : p.channels.map((c) => `${c.name}(${c.kind})`).join(',') || '-',
  ]);
  const header = ['NAME', 'CONNECTION', 'TUNNEL', 'CHANNELS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const row of [header, ...rows])
    io.stdout.write(
      `${row
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd()}\n`,
    );
  return EXIT.ok;
}

async function show(store: ProfileStore, nameOrPath: string, values: Values, io: CliIo): Promise<number> {
  const view = profileView(await store.load(nameOrPath), io.env);
  io.stdout.write(values.json ? `${JSON.stringify(view)}\n` : stringify(view));
  return EXIT.ok;
}

async function edit(store: ProfileStore, name: string, values: Values, io: CliIo): Promise<number> {
  const profile = await store.load(name);
  const o = flagOverrides(values);
  const edits: ProfileEdits = { ...extraEdits(values) };
  const set = <K extends keyof ProfileEdits>(key: K, value: ProfileEdits[K] | undefined): void => {
    if (value !== undefined) edits[key] = value;
  };
  set('tunnelId', values['tunnel-id']?.trim() || o.tunnelId);
  set('apiKeyRef', values['api-key-ref']?.trim() || o.apiKeyRef);
  set('baseUrl', o.baseUrl);
  set('urlPath', o.urlPath);
  set('healthListenAddr', o.healthListenAddr);
  set('displayName', values['display-name']);
  set('connection', connectionFlag(values.connection));
  set('autostart', autostartFlag(values));
  if (
    o.commands.length + o.serverUrls.length > 1 ||
    [...o.commands, ...o.serverUrls].some((t) => t.channel !== 'main')
  ) {
    throw new UsageError(
      'edit binds one main channel: give one --mcp-command or one --mcp-server-url; use --set for other channels.',
    );
  }
  set('mcpCommand', o.commands[0]?.value);
  set('mcpServerUrl', o.serverUrls[0]?.value);
  set('set', values.set);
  set('unset', values.unset);
  if (Object.keys(edits).length === 0)
    throw new UsageError('nothing to change: pass a field flag, --set key.path=value or --unset key.path.');
  applyEdits(profile.doc, edits);
  const saved = await store.save(name, profile.doc, { force: true });
  io.stdout.write(
    values.json
      ? `${JSON.stringify({ name, file: saved.file })}\n`
      : `Updated profile ${name} (${store.show(saved.file)}).\n`,
  );
  return EXIT.ok;
}
