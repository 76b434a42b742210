/**
 * The channels of a resolved profile. Each layer defines whole channels by name and replaces
 * the same-named channel of the layer below: flags (--mcp.command / --mcp.server-url) >
 * environment (MCP_COMMAND / MCP_SERVER_URL, one entry per line) > profile (mcp.commands[],
 * mcp.server_urls[]). An entry without a channel is `main`.
 *
 * HTTP channel settings, most specific first: extra headers merge per header name (section
 * mcp.extra_headers < entry extra_headers < MCP_EXTRA_HEADERS < --mcp.extra-headers); proxy:
 * entry http_proxy/proxy_url > mcp.http_proxy > top-level http_proxy > HTTPS_PROXY/NO_PROXY;
 * CA: --ca-bundle / CA_BUNDLE > entry ca_bundle > top-level ca_bundle; client cert/key: entry >
 * mcp section.
 */
import type { ChannelConfig } from '../engine/config.js';
import { argvFromCommandLine } from '../engine/channels/stdio/argv.js';
import { ConfigError, parseExtraHeaders } from './env-config.js';
import { channelTarget, type ChannelTarget, type FlagOverrides } from './profile-flags.js';
import { expandHome } from './profile-paths.js';
import { CHANNEL_NAME_PATTERN, MAX_CHANNELS } from './profile-rules.js';
import type {
  ConnectionKind,
  ProfileCommandEntry,
  ProfileFile,
  ProfileServerUrlEntry,
} from './profile-types.js';
import { proxyForUrl } from './proxy-env.js';
import { checkHttpUrl, settingName, type ValueResolver } from './value-resolver.js';

type Spec =
  | {
      name: string;
      kind: 'stdio';
      command: string;
      where: string;
      entry?: ProfileCommandEntry;
      keyPath?: string;
    }
  | {
      name: string;
      kind: 'http';
      url: string;
      where: string;
      entry?: ProfileServerUrlEntry;
      keyPath?: string;
    };

export interface ResolveChannelsInput {
  data: ProfileFile;
  env: NodeJS.ProcessEnv;
  flags: FlagOverrides;
  resolver: ValueResolver;
  file: string | undefined;
  connection: ConnectionKind;
  /** CA bundle chosen for the whole profile, and whether it came from the profile (entries may override then). */
  globalCa: { pem: string | undefined; fromProfile: boolean } | undefined;
}

export async function resolveChannels(input: ResolveChannelsInput): Promise<ChannelConfig[]> {
  const { data, env, flags, resolver, file } = input;
  const at = (keyPath: string): string => settingName(keyPath, file);
  const specs = new Map<string, Spec>();
  (data.mcp?.commands ?? []).forEach((entry, i) => {
    const keyPath = `mcp.commands[${i}]`;
    const name = entry.channel ?? 'main';
    specs.set(name, {
      name,
      kind: 'stdio',
      command: entry.command,
      where: at(`${keyPath}.command`),
      entry,
      keyPath,
    });
  });
  (data.mcp?.server_urls ?? []).forEach((entry, i) => {
    const keyPath = `mcp.server_urls[${i}]`;
    const name = entry.channel ?? 'main';
    specs.set(name, { name, kind: 'http', url: entry.url, where: at(`${keyPath}.url`), entry, keyPath });
  });
  const layer = (
    commands: ChannelTarget[],
    urls: ChannelTarget[],
    cmdWhere: string,
    urlWhere: string,
  ): void => {
    const names = new Set<string>();
    for (const t of commands) {
      if (names.has(t.channel)) throw conflict(t.channel, cmdWhere, urlWhere);
      names.add(t.channel);
      specs.set(t.channel, { name: t.channel, kind: 'stdio', command: t.value, where: cmdWhere });
    }
    for (const t of urls) {
      if (names.has(t.channel)) throw conflict(t.channel, cmdWhere, urlWhere);
      names.add(t.channel);
      specs.set(t.channel, { name: t.channel, kind: 'http', url: t.value, where: urlWhere });
    }
  };
  layer(
    envEntries(env.MCP_COMMAND, 'command', 'MCP_COMMAND'),
    envEntries(env.MCP_SERVER_URL, 'url', 'MCP_SERVER_URL'),
    'MCP_COMMAND',
    'MCP_SERVER_URL',
  );
  layer(flags.commands, flags.serverUrls, '--mcp.command', '--mcp.server-url');

  const ordered = [...specs.values()].sort((a, b) => (a.name === 'main' ? -1 : b.name === 'main' ? 1 : 0));
  checkChannelSet(ordered, input.connection);

  const mcp = data.mcp ?? {};
  const envHeaders = await parseExtraHeaders(env.MCP_EXTRA_HEADERS, resolver.secretOptions);
  const flagHeaders = flags.extraHeaders.length
    ? await parseExtraHeaders(flags.extraHeaders.join('\n'), resolver.secretOptions)
    : undefined;
  if (flagHeaders && !ordered.some((s) => s.kind === 'http')) {
    throw new ConfigError(
      'extra_headers_without_url',
      '--mcp.extra-headers applies to HTTP MCP servers only; this profile has none (add --mcp.server-url or drop the flag).',
    );
  }
  const sectionHeaders = await resolveHeaders(mcp.extra_headers, 'mcp.extra_headers', resolver, at);

  const out: ChannelConfig[] = [];
  for (const spec of ordered) {
    if (spec.kind === 'stdio') {
      const commandLine = await resolver.value(spec.command, spec.where);
      let argv: string[];
      try {
        argv = argvFromCommandLine(commandLine);
      } catch (err) {
        throw new ConfigError(
          'mcp_command_invalid',
          `${spec.where} cannot be split into arguments: ${(err as Error).message}`,
        );
      }
      if (argv.length === 0) throw new ConfigError('mcp_command_invalid', `${spec.where} is empty.`);
      const childEnv: Record<string, string> = {};
      for (const [k, v] of Object.entries(spec.entry?.env ?? {})) {
        childEnv[k] = await resolver.value(v, at(`${spec.keyPath}.env.${k}`));
      }
      out.push({
        name: spec.name,
        kind: 'stdio',
        argv,
        ...(spec.entry?.env ? { env: childEnv } : {}),
        ...(spec.entry?.cwd ? { cwd: expandHome(spec.entry.cwd) } : {}),
      });
      continue;
    }
    const url = checkHttpUrl(await resolver.value(spec.url, spec.where), spec.where);
    const entry = spec.entry;
    const entryHeaders = await resolveHeaders(
      entry?.extra_headers,
      `${spec.keyPath}.extra_headers`,
      resolver,
      at,
    );
    const headers = { ...sectionHeaders, ...entryHeaders, ...envHeaders, ...flagHeaders };
    const proxySetting = pickProxy(entry, spec.keyPath, data);
    const proxyUrl = proxySetting
      ? await resolver.value(proxySetting.value, at(proxySetting.keyPath))
      : proxyForUrl(url, env);
    const ca =
      input.globalCa && !input.globalCa.fromProfile
        ? input.globalCa.pem
        : entry?.ca_bundle
          ? await resolver.material(entry.ca_bundle, at(`${spec.keyPath}.ca_bundle`))
          : input.globalCa?.pem;
    const certPath = entry?.client_cert ? `${spec.keyPath}.client_cert` : 'mcp.client_cert';
    const keyPath = entry?.client_key ? `${spec.keyPath}.client_key` : 'mcp.client_key';
    const cert = entry?.client_cert ?? mcp.client_cert;
    const key = entry?.client_key ?? mcp.client_key;
    out.push({
      name: spec.name,
      kind: 'http',
      url,
      ...(Object.keys(headers).length ? { extraHeaders: headers } : {}),
      ...(proxyUrl ? { proxyUrl } : {}),
      ...(ca ? { caBundlePem: ca } : {}),
      ...(cert ? { clientCertPem: await resolver.material(cert, at(certPath)) } : {}),
      ...(key ? { clientKeyPem: await resolver.material(key, at(keyPath)) } : {}),
    });
  }
  return out;
}

function envEntries(raw: string | undefined, field: 'command' | 'url', name: string): ChannelTarget[] {
  if (!raw?.trim()) return [];
  return raw
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => channelTarget(line, field, name));
}

function conflict(channel: string, a: string, b: string): ConfigError {
  return new ConfigError(
    'mcp_target_conflict',
    `Channel '${channel}' is given twice (${a} and ${b}). Give each channel one command or one URL.`,
  );
}

function checkChannelSet(specs: Spec[], connection: ConnectionKind): void {
  for (const spec of specs) {
    if (!CHANNEL_NAME_PATTERN.test(spec.name)) {
      throw new ConfigError(
        'channel_invalid',
        `${spec.where}: '${spec.name.slice(0, 80)}' is not a channel name: use 1-64 lowercase letters, digits, _ or -.`,
      );
    }
  }
  if (specs.length > MAX_CHANNELS)
    throw new ConfigError(
      'channel_invalid',
      `${specs.length} channels configured; at most ${MAX_CHANNELS} are allowed.`,
    );
  if (specs.length === 0 && connection !== 'demo') {
    throw new ConfigError(
      'mcp_target_missing',
      'No MCP server configured: add mcp.commands or mcp.server_urls to the profile, pass --mcp.command "node server.js" or --mcp.server-url http://…, or set MCP_COMMAND / MCP_SERVER_URL.',
    );
  }
  if (specs.length > 0 && !specs.some((s) => s.name === 'main')) {
    throw new ConfigError(
      'channel_main_missing',
      "No 'main' channel: one MCP server must be bound to channel main (an entry without a channel name is main).",
    );
  }
}

async function resolveHeaders(
  headers: Record<string, string> | undefined,
  keyPath: string,
  resolver: ValueResolver,
  at: (keyPath: string) => string,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    out[name] = await resolver.value(value, at(`${keyPath}.${name}`));
  return out;
}

function pickProxy(
  entry: ProfileServerUrlEntry | undefined,
  entryPath: string | undefined,
  data: ProfileFile,
): { value: string; keyPath: string } | undefined {
  if (entry?.http_proxy) return { value: entry.http_proxy, keyPath: `${entryPath}.http_proxy` };
  if (entry?.proxy_url) return { value: entry.proxy_url, keyPath: `${entryPath}.proxy_url` };
  if (data.mcp?.http_proxy) return { value: data.mcp.http_proxy, keyPath: 'mcp.http_proxy' };
  if (data.http_proxy) return { value: data.http_proxy, keyPath: 'http_proxy' };
  return undefined;
}
