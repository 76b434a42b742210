/**
 * `mcp-tunnel codex …`: add a tunnel to OpenAI Codex's config.toml, remove it, verify what
 * Codex sees, or preview the entry without writing.
 *
 *   codex add|preview  [--name N] [--token-mode header|env] [--env-var VAR] [--kind demo|relay|openai]
 *                      (--info-file PATH | --mcp-url URL [--connector-token-env VAR])
 *                      [--startup-timeout-sec S] [--tool-timeout-sec S] [--codex-home DIR] [--json]
 *                      [--show-token (preview only)]
 *   codex remove       --name N [--codex-home DIR] [--json]
 *   codex verify       --name N [--codex-bin PATH] [--codex-home DIR] [--json]
 *
 * The connector token comes from the info file written by `mcp-tunnel run --info-file`, or from
 * the environment variable named by --connector-token-env: never from the command line. It is
 * never printed, except in `preview --show-token` of header mode.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  addToCodex,
  previewCodexEntry,
  removeFromCodex,
} from '../../core/integrations/codex/codex-config-file.js';
import {
  codexEntryFor,
  maskToken,
  type CodexEntryOptions,
  type CodexTunnelKind,
  type CodexTunnelRef,
} from '../../core/integrations/codex/codex-entry.js';
import { CodexConfigError } from '../../core/integrations/codex/codex-errors.js';
import { verifyCodexEntry } from '../../core/integrations/codex/codex-verify.js';
import { EXIT, UsageError, type CliIo } from '../cli-io.js';

const USAGE = `Usage:
  mcp-tunnel codex add     [--name NAME] [--token-mode header|env] [--env-var VAR] [--kind demo|relay|openai]
                           (--info-file PATH | --mcp-url URL [--connector-token-env VAR])
                           [--startup-timeout-sec S] [--tool-timeout-sec S] [--codex-home DIR] [--json]
  mcp-tunnel codex preview (same options as add) [--show-token]
  mcp-tunnel codex remove  --name NAME [--codex-home DIR] [--json]
  mcp-tunnel codex verify  --name NAME [--codex-bin PATH] [--codex-home DIR] [--json]

Writes [mcp_servers.NAME] in $CODEX_HOME/config.toml (default ~/.codex/config.toml), leaving the
rest of the file as it is. NAME defaults to mcp-tunnel-demo for the demo, else mcp-tunnel.
--info-file is the file written by 'mcp-tunnel run --info-file'.
Token mode 'env' (the default) writes bearer_token_env_var; 'header' stores the connector token
in the file as an Authorization header.
`;

const OPTIONS = {
  name: { type: 'string' },
  'token-mode': { type: 'string' },
  'env-var': { type: 'string' },
  kind: { type: 'string' },
  'mcp-url': { type: 'string' },
  'connector-token-env': { type: 'string' },
  'info-file': { type: 'string' },
  'startup-timeout-sec': { type: 'string' },
  'tool-timeout-sec': { type: 'string' },
  'codex-home': { type: 'string' },
  'codex-bin': { type: 'string' },
  'show-token': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

type Flags = ReturnType<typeof parse>['values'];

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

export async function codexCommand(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.stderr.write(`mcp-tunnel codex: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  try {
    const [command, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'.`);
    if (command === 'add' || command === 'preview') return await addOrPreview(command, values, io);
    if (command === 'remove') return await remove(values, io);
    if (command === 'verify') return await verify(values, io);
    throw new UsageError(command ? `unknown command 'codex ${command}'.` : 'missing command.');
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`mcp-tunnel codex: ${error.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    if (error instanceof CodexConfigError) {
      io.stderr.write(`mcp-tunnel codex: ${error.message}\n`);
      const usage = error.code === 'codex_invalid_name' || error.code === 'codex_invalid_entry';
      return usage ? EXIT.usage : EXIT.failure;
    }
    throw error;
  }
}

async function addOrPreview(command: 'add' | 'preview', values: Flags, io: CliIo): Promise<number> {
  if (values['show-token'] && command !== 'preview')
    throw new UsageError('--show-token only works with preview.');
  const tunnel = await tunnelFrom(values, io.env);
  const entryOptions = entryOptionsFrom(values, tunnel.kind);
  const location = { env: io.env, ...(values['codex-home'] ? { codexHome: values['codex-home'] } : {}) };
  if (command === 'preview') {
    const preview = await previewCodexEntry({ ...location, tunnel, entryOptions });
    const toml = values['show-token'] ? preview.toml : preview.maskedToml;
    if (values.json) {
      writeJson(io, {
        path: preview.path,
        name: preview.name,
        replaces: preview.replaces,
        toml,
        notes: preview.notes,
      });
    } else {
      const verb = preview.replaces ? 'replace the entry in' : 'add to';
      io.stdout.write(
        `Would ${verb} ${preview.path}:\n\n${toml}\n${preview.notes.map((n) => `- ${n}\n`).join('')}`,
      );
    }
    return EXIT.ok;
  }
  const plan = codexEntryFor(tunnel, entryOptions);
  const result = await addToCodex({ ...location, name: plan.name, entry: plan.entry });
  const masked = maskToken(result.entryToml, tunnel.connectorToken);
  if (values.json) {
    writeJson(io, {
      path: result.path,
      name: plan.name,
      changed: result.changed,
      toml: masked,
      notes: plan.notes,
    });
  } else {
    const head = result.changed
      ? `Added '${plan.name}' to ${result.path}:`
      : `'${plan.name}' in ${result.path} is already up to date:`;
    const exportHint =
      plan.envVar && tunnel.kind !== 'openai' ? [`  export ${plan.envVar}=<connector token>`] : [];
    io.stdout.write([head, '', masked, ...plan.notes.map((n) => `- ${n}`), ...exportHint, ''].join('\n'));
  }
  return EXIT.ok;
}

async function remove(values: Flags, io: CliIo): Promise<number> {
  const name = requiredName(values);
  const result = await removeFromCodex({
    env: io.env,
    name,
    ...(values['codex-home'] ? { codexHome: values['codex-home'] } : {}),
  });
  if (values.json) writeJson(io, { path: result.path, name, removed: result.removed });
  else
    io.stdout.write(
      result.removed
        ? `Removed '${name}' from ${result.path}.\n`
        : `'${name}' is not in ${result.path}; nothing to do.\n`,
    );
  return EXIT.ok;
}

async function verify(values: Flags, io: CliIo): Promise<number> {
  const result = await verifyCodexEntry({
    env: io.env,
    name: requiredName(values),
    ...(values['codex-home'] ? { codexHome: values['codex-home'] } : {}),
    ...(values['codex-bin'] ? { codexBin: values['codex-bin'] } : {}),
  });
  if (values.json) writeJson(io, result);
  else (result.ok ? io.stdout : io.stderr).write(`${result.message}\n`);
  return result.ok ? EXIT.ok : EXIT.failure;
}

async function tunnelFrom(values: Flags, env: NodeJS.ProcessEnv): Promise<CodexTunnelRef> {
  const kind = kindFlag(values.kind);
  if (values['info-file'] && values['mcp-url'])
    throw new UsageError('use either --info-file or --mcp-url, not both.');
  if (values['info-file']) {
    let info: { mcp_url?: unknown; connector_token?: unknown };
    try {
      info = JSON.parse(await readFile(values['info-file'], 'utf8')) as typeof info;
    } catch (error) {
      throw new UsageError(
        `could not read the info file ${values['info-file']}: ${(error as Error).message}`,
      );
    }
    if (typeof info.mcp_url !== 'string') {
      throw new UsageError(
        `${values['info-file']} has no mcp_url: only tunnels whose front door is ours have one; use --mcp-url.`,
      );
    }
    return {
      kind: kind ?? 'demo',
      mcpUrl: info.mcp_url,
      ...(typeof info.connector_token === 'string' ? { connectorToken: info.connector_token } : {}),
    };
  }
  if (!values['mcp-url']) throw new UsageError('give the tunnel with --info-file PATH or --mcp-url URL.');
  const tokenVar = values['connector-token-env'];
  const token = tokenVar ? env[tokenVar] : undefined;
  if (tokenVar && !token)
    throw new UsageError(`--connector-token-env ${tokenVar}: that variable is not set.`);
  return { kind: kind ?? 'relay', mcpUrl: values['mcp-url'], ...(token ? { connectorToken: token } : {}) };
}

function entryOptionsFrom(values: Flags, kind: CodexTunnelKind): CodexEntryOptions {
  const mode = values['token-mode'] ?? 'env';
  if (mode !== 'header' && mode !== 'env')
    throw new UsageError(`--token-mode must be header or env, not '${mode}'.`);
  if (kind === 'openai' && mode === 'header') {
    throw new UsageError(
      'an OpenAI tunnel uses your API key from the environment: --token-mode header does not apply.',
    );
  }
  return {
    name: values.name ?? (kind === 'demo' ? 'mcp-tunnel-demo' : 'mcp-tunnel'),
    tokenMode: mode,
    ...(values['env-var'] ? { envVar: values['env-var'] } : {}),
    ...seconds('startupTimeoutSec', values['startup-timeout-sec']),
    ...seconds('toolTimeoutSec', values['tool-timeout-sec']),
  };
}

function seconds(
  key: 'startupTimeoutSec' | 'toolTimeoutSec',
  raw: string | undefined,
): Record<string, number> {
  if (raw === undefined) return {};
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${raw} is not a positive number of seconds.`);
  return { [key]: n };
}

function requiredName(values: Flags): string {
  if (!values.name) throw new UsageError('give the Codex server name with --name.');
  return values.name;
}

function kindFlag(raw: string | undefined): CodexTunnelKind | undefined {
  if (raw === undefined || raw === 'demo' || raw === 'relay' || raw === 'openai') return raw;
  throw new UsageError(`--kind must be demo, relay or openai, not '${raw}'.`);
}

function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
