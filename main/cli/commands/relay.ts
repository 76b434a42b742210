/**
 * `mcp-tunnel relay …`: run a self-hosted relay and manage its tunnels.
 *
 *   relay serve [--listen 127.0.0.1:8787] [--state FILE] [--public-url URL]
 *               [--tls-cert FILE --tls-key FILE] [--allowed-origin O]... [--allowed-host H]...
 *   relay tunnels create [--name N] [--description D] [--state FILE] [--public-url URL] [--json]
 *   relay tunnels list [--state FILE] [--public-url URL] [--json]
 *   relay tunnels rotate-key TUNNEL_ID [--state FILE] [--public-url URL] [--json]
 *   relay tunnels delete TUNNEL_ID [--state FILE] [--json]
 *
 * `argv` is what follows `relay`. Secrets are printed once by create and rotate-key; list never
 * prints them. The serving relay picks up tunnel changes made by these commands within ~1 s.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LogHub } from '../../core/observability/logger.js';
import { openFileStore } from '../../core/relay/file-store.js';
import { createRelay } from '../../core/relay/relay-server.js';
import { defaultRelayStatePath } from '../../core/relay/state-path.js';
import { createTunnelAdmin, type IssuedTunnel } from '../../core/relay/tunnel-admin.js';
import { EXIT, UsageError, type CliIo } from '../cli-io.js';
import { streamSink } from '../log-output.js';

const USAGE = `Usage:
  mcp-tunnel relay serve [--listen HOST:PORT] [--state FILE] [--public-url URL]
                         [--tls-cert FILE --tls-key FILE] [--allowed-origin ORIGIN]... [--allowed-host HOST]...
  mcp-tunnel relay tunnels create [--name NAME] [--description TEXT] [--state FILE] [--public-url URL] [--json]
  mcp-tunnel relay tunnels list [--state FILE] [--public-url URL] [--json]
  mcp-tunnel relay tunnels rotate-key TUNNEL_ID [--state FILE] [--public-url URL] [--json]
  mcp-tunnel relay tunnels delete TUNNEL_ID [--state FILE] [--json]

The state file defaults to $MCP_TUNNEL_RELAY_STATE or <config dir>/mcp-tunnel/relay-state.json.
`;

const DEFAULT_LISTEN = '127.0.0.1:8787';

const OPTIONS = {
  listen: { type: 'string' },
  state: { type: 'string' },
  'public-url': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'allowed-origin': { type: 'string', multiple: true },
  'allowed-host': { type: 'string', multiple: true },
  name: { type: 'string' },
  description: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

type Flags = ReturnType<typeof parse>['values'];

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

export async function relayCommand(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.stderr.write(`mcp-tunnel relay: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    (values.help ? io.stdout : io.stderr).write(USAGE);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  try {
    const [command, sub, ...rest] = positionals;
    if (command === 'serve' && sub === undefined) return await serve(values, io);
    if (command === 'tunnels' && sub !== undefined) return await tunnels(sub, rest, values, io);
    throw new UsageError(`unknown command 'relay ${positionals.join(' ')}'.`);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`mcp-tunnel relay: ${error.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    io.stderr.write(`mcp-tunnel relay: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
}

function statePath(values: Flags, io: CliIo): string {
  return values.state ?? defaultRelayStatePath(io.env);
}

function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text) ?? /^()()(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port > 65535)
    throw new UsageError(`--listen '${text}' is not HOST:PORT (e.g. 127.0.0.1:8787).`);
  return { host: match[1] || match[2] || '127.0.0.1', port };
}

function publicUrlOf(values: Flags): string {
  const url = values['public-url'];
  if (url === undefined) return `http://${DEFAULT_LISTEN}`;
  if (!/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`--public-url '${url}' must be an http(s) URL.`);
  return url.replace(/\/+$/, '');
}

async function serve(values: Flags, io: CliIo): Promise<number> {
  const { host, port } = parseListen(values.listen ?? DEFAULT_LISTEN);
  if (values['public-url'] !== undefined) publicUrlOf(values);
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined))
    throw new UsageError('--tls-cert and --tls-key go together.');
  const tls =
    values['tls-cert'] && values['tls-key']
      ? { certPem: await readFile(values['tls-cert']), keyPem: await readFile(values['tls-key']) }
      : undefined;
  const path = statePath(values, io);
  const hub = new LogHub({ level: 'info' });
  hub.addSink(streamSink(io.stderr, 'text'));
  const logger = hub.logger();
  const store = await openFileStore(path, {
    watch: true,
    onReloadError: (error) => logger.warn('relay state reload failed; keeping the previous state', { error }),
  });
  try {
    const relay = await createRelay({
      host,
      port,
      store,
      logger,
      tls,
      publicUrl: values['public-url'],
      allowedOrigins: values['allowed-origin'],
      allowedHosts: values['allowed-host'],
    });
    const count = store.list().length;
    io.stdout.write(
      `Relay listening on ${relay.url}` +
        (relay.publicUrl !== relay.url ? ` (public URL ${relay.publicUrl})` : '') +
        `\nState file: ${path} (${count} tunnel${count === 1 ? '' : 's'})\n` +
        (count === 0 ? 'Create a tunnel with: mcp-tunnel relay tunnels create --name NAME\n' : '') +
        'MCP URLs: <public URL>/v1/mcp/<tunnel_id>. Press Ctrl-C to stop.\n',
    );
    await new Promise<void>((resolve) => {
      if (!io.signal) return;
      if (io.signal.aborted) return resolve();
      io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await relay.close();
    io.stdout.write('Relay stopped.\n');
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

async function tunnels(sub: string, rest: string[], values: Flags, io: CliIo): Promise<number> {
  const takesId = sub === 'rotate-key' || sub === 'delete';
  if (!['create', 'list', 'rotate-key', 'delete'].includes(sub))
    throw new UsageError(`unknown command 'relay tunnels ${sub}'.`);
  if (takesId ? rest.length !== 1 : rest.length !== 0)
    throw new UsageError(
      takesId ? `relay tunnels ${sub} takes exactly one TUNNEL_ID.` : `unexpected '${rest.join(' ')}'.`,
    );
  const publicUrl = publicUrlOf(values);
  const store = await openFileStore(statePath(values, io));
  try {
    const admin = createTunnelAdmin({ store, mcpUrlFor: (id) => `${publicUrl}/v1/mcp/${id}` });
    const id = rest[0] ?? '';
    switch (sub) {
      case 'create':
        printIssued(await admin.create(values.name, values.description), 'Created', values.json, io);
        return EXIT.ok;
      case 'rotate-key':
        printIssued(await admin.rotateKey(id), 'Rotated the credentials of', values.json, io);
        return EXIT.ok;
      case 'delete': {
        const deleted = await admin.delete(id);
        if (values.json) io.stdout.write(`${JSON.stringify({ tunnel_id: id, deleted })}\n`);
        else io.stdout.write(deleted ? `Deleted tunnel ${id}.\n` : '');
        if (!deleted && !values.json) io.stderr.write(`No tunnel ${id} in ${store.path}.\n`);
        return deleted ? EXIT.ok : EXIT.failure;
      }
      default: {
        const list = admin.list();
        if (values.json) {
          const rows = list.map((t) => ({
            tunnel_id: t.tunnelId,
            name: t.name,
            description: t.description,
            created_at: t.createdAt,
            mcp_url: t.mcpUrl,
          }));
          io.stdout.write(`${JSON.stringify(rows)}\n`);
        } else if (list.length === 0) {
          io.stdout.write(`No tunnels in ${store.path}. Create one with: mcp-tunnel relay tunnels create\n`);
        } else {
          for (const t of list)
            io.stdout.write(`${t.tunnelId}  ${t.name}  created ${t.createdAt}\n  ${t.mcpUrl}\n`);
        }
        return EXIT.ok;
      }
    }
  } finally {
    await store.close();
  }
}

function printIssued(issued: IssuedTunnel, verb: string, json: boolean | undefined, io: CliIo): void {
  if (json) {
    io.stdout.write(
      `${JSON.stringify({
        tunnel_id: issued.tunnelId,
        runtime_key: issued.runtimeKey,
        connector_token: issued.connectorToken,
        mcp_url: issued.mcpUrl,
      })}\n`,
    );
    return;
  }
  io.stdout.write(
    `${verb} tunnel ${issued.tunnelId}\n` +
      `  MCP URL:         ${issued.mcpUrl}\n` +
      `  Runtime key:     ${issued.runtimeKey}\n` +
      `                   (for the tunnel client: CONTROL_PLANE_API_KEY, with CONTROL_PLANE_TUNNEL_ID=${issued.tunnelId})\n` +
      `  Connector token: ${issued.connectorToken}\n` +
      `                   (for MCP clients: Authorization: Bearer <connector token>)\n` +
      'These secrets are shown only now; the relay keeps only their hashes. Lost them? Run rotate-key.\n',
  );
}
