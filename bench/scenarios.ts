/**
 * The benchmark's scenarios: how each one starts its processes, connects one MCP SDK client
 * and names the server-side processes whose memory and CPU are measured.
 *
 *   direct-stdio         client spawns the stdio echo server (the floor)
 *   direct-http          SDK Streamable HTTP echo server (stateful, SSE answers)
 *   supergateway         supergateway --stateful wrapping the stdio echo server
 *   mcp-proxy            mcp-proxy (npm) wrapping the stdio echo server
 *   tunnel-stdio         client → relay front door → engine → stdio echo server
 *   tunnel-stdio-serial  the same with MCP_MAX_CONCURRENT_REQUESTS=1 (one request at a time)
 *   tunnel-http          client → relay → engine → the SDK HTTP echo server
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { descendants } from './proc-stats.js';
import { freePort, startProcess, waitForHttp, type BenchProcess } from './processes.js';
import { startTunnel, type TunnelSettings } from './tunnel-setup.js';

export type ScenarioKind = 'direct' | 'peer' | 'tunnel';

export interface ScenarioContext {
  repoRoot: string;
  /** Compiled MCP Tunnel (bench-results/build or dist): holds main/cli/bin.js. */
  buildDir: string;
  tmpDir: string;
  /** When set, relay and engine run with --cpu-prof writing here (per scenario and role). */
  cpuProfDir?: string;
  /** Capacity settings for the tunnel scenarios. */
  tunnel: TunnelSettings;
}

/** A named group of server-side processes (resolved each time: children come and go). */
export interface Role {
  name: string;
  pids(): number[];
}

export interface RunningScenario {
  /** A connected SDK client (one MCP session). */
  client: Client;
  roles: Role[];
  /** Settings worth recording with the results. */
  settings: Record<string, string | number>;
  stop(): Promise<void>;
}

export interface ScenarioDef {
  id: string;
  title: string;
  kind: ScenarioKind;
  start(ctx: ScenarioContext): Promise<RunningScenario>;
}

const CLIENT_INFO = { name: 'mcp-tunnel-bench', version: '1.0.0' };

function echoServerArgv(ctx: ScenarioContext): string[] {
  return [process.execPath, join(ctx.repoRoot, 'bench/servers/echo-stdio-server.mjs')];
}

function httpServerPath(ctx: ScenarioContext): string {
  return join(ctx.repoRoot, 'bench/servers/echo-http-server.mjs');
}

/** The environment of processes we spawn: no proxy variables, nothing of ours. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(https?_proxy|all_proxy|no_proxy|control_plane_.*|mcp_.*|openai_api_key|node_options)$/i.test(key))
      continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

export async function connectHttp(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client(CLIENT_INFO);
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

async function closeClient(client: Client): Promise<void> {
  const transport = client.transport;
  if (transport instanceof StreamableHTTPClientTransport)
    await transport.terminateSession().catch(() => undefined);
  await client.close().catch(() => undefined);
}

function processRole(name: string, proc: BenchProcess): Role {
  return { name, pids: () => [proc.pid] };
}

function childrenRole(name: string, proc: BenchProcess): Role {
  return { name, pids: () => descendants(proc.pid) };
}

async function startHttpEchoServer(
  ctx: ScenarioContext,
  name: string,
): Promise<{ proc: BenchProcess; url: string }> {
  const proc = startProcess({
    name,
    command: process.execPath,
    args: [httpServerPath(ctx), '0'],
    env: cleanEnv(),
  });
  const match = await proc.waitFor(/listening (http:\/\/\S+)/, 'its listening line');
  return { proc, url: match[1]! };
}

const directStdio: ScenarioDef = {
  id: 'direct-stdio',
  title: 'Direct stdio (client spawns the server)',
  kind: 'direct',
  async start(ctx) {
    const [command, ...args] = echoServerArgv(ctx);
    const transport = new StdioClientTransport({
      command: command!,
      args,
      env: cleanEnv() as Record<string, string>,
      stderr: 'ignore',
    });
    const client = new Client(CLIENT_INFO);
    await client.connect(transport);
    const pid = transport.pid;
    return {
      client,
      roles: [{ name: 'server', pids: () => (pid ? [pid] : []) }],
      settings: {},
      stop: () => closeClient(client),
    };
  },
};

const directHttp: ScenarioDef = {
  id: 'direct-http',
  title: 'Direct Streamable HTTP (SDK server, stateful)',
  kind: 'direct',
  async start(ctx) {
    const server = await startHttpEchoServer(ctx, 'echo-http-server');
    try {
      const client = await connectHttp(server.url);
      return {
        client,
        roles: [processRole('server', server.proc)],
        settings: { response_mode: 'SSE (SDK default)' },
        stop: async () => {
          await closeClient(client);
          await server.proc.stop();
        },
      };
    } catch (error) {
      await server.proc.stop();
      throw error;
    }
  },
};

function stdioCommandLine(ctx: ScenarioContext): string {
  return echoServerArgv(ctx)
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}

async function startBridge(
  ctx: ScenarioContext,
  name: string,
  script: string,
  args: (port: number) => string[],
): Promise<{ proc: BenchProcess; url: string }> {
  const port = await freePort();
  const proc = startProcess({
    name,
    command: process.execPath,
    args: [join(ctx.repoRoot, script), ...args(port)],
    env: cleanEnv(),
    cwd: ctx.repoRoot,
  });
  const url = `http://127.0.0.1:${port}/mcp`;
  try {
    await waitForHttp(url, name);
  } catch (error) {
    await proc.stop();
    throw new Error(`${(error as Error).message}\n${proc.tail()}`, { cause: error });
  }
  return { proc, url };
}

function bridgeScenario(
  id: string,
  title: string,
  script: string,
  args: (ctx: ScenarioContext, port: number) => string[],
): ScenarioDef {
  return {
    id,
    title,
    kind: 'peer',
    async start(ctx) {
      const bridge = await startBridge(ctx, id, script, (port) => args(ctx, port));
      try {
        const client = await connectHttp(bridge.url);
        return {
          client,
          roles: [processRole('bridge', bridge.proc), childrenRole('server', bridge.proc)],
          settings: { command: `${id} ${args(ctx, 0).join(' ')}`.replace(/ --port 0/, ' --port N') },
          stop: async () => {
            await closeClient(client);
            await bridge.proc.stop();
          },
        };
      } catch (error) {
        await bridge.proc.stop();
        throw error;
      }
    },
  };
}

const supergateway = bridgeScenario(
  'supergateway',
  'supergateway (stdio → Streamable HTTP, --stateful)',
  'node_modules/supergateway/dist/index.js',
  (ctx, port) => [
    '--stdio',
    stdioCommandLine(ctx),
    '--outputTransport',
    'streamableHttp',
    '--stateful',
    '--port',
    String(port),
    '--logLevel',
    'none',
  ],
);

const mcpProxy = bridgeScenario(
  'mcp-proxy',
  'mcp-proxy (npm, stdio → Streamable HTTP)',
  'node_modules/mcp-proxy/dist/bin/mcp-proxy.mjs',
  (ctx, port) => ['--host', '127.0.0.1', '--port', String(port), '--', ...echoServerArgv(ctx)],
);

function tunnelScenario(
  id: string,
  title: string,
  upstream: 'stdio' | 'http',
  maxConcurrent?: number,
): ScenarioDef {
  return {
    id,
    title,
    kind: 'tunnel',
    async start(ctx) {
      const http = upstream === 'http' ? await startHttpEchoServer(ctx, 'echo-http-server') : undefined;
      const settings: TunnelSettings = {
        ...ctx.tunnel,
        ...(maxConcurrent !== undefined ? { maxConcurrent } : {}),
      };
      const profDir = ctx.cpuProfDir ? join(ctx.cpuProfDir, id) : undefined;
      if (profDir) mkdirSync(profDir, { recursive: true });
      try {
        const tunnel = await startTunnel({
          buildDir: ctx.buildDir,
          tmpDir: join(ctx.tmpDir, id),
          env: cleanEnv(),
          upstream: http
            ? { kind: 'http', url: http.url }
            : { kind: 'stdio', commandLine: stdioCommandLine(ctx) },
          settings,
          ...(profDir ? { cpuProfDir: profDir } : {}),
        });
        try {
          const client = await connectHttp(tunnel.mcpUrl, {
            authorization: `Bearer ${tunnel.connectorToken}`,
          });
          const roles: Role[] = [processRole('relay', tunnel.relay), processRole('engine', tunnel.engine)];
          roles.push(http ? processRole('server', http.proc) : childrenRole('server', tunnel.engine));
          return {
            client,
            roles,
            settings: {
              CONTROL_PLANE_MAX_INFLIGHT_REQUESTS: settings.maxInflight,
              MCP_MAX_CONCURRENT_REQUESTS: settings.maxConcurrent,
              LOG_LEVEL: settings.logLevel,
              relay: 'mcp-tunnel relay serve (file state, defaults)',
            },
            stop: async () => {
              await closeClient(client);
              await tunnel.stop();
              await http?.proc.stop();
            },
          };
        } catch (error) {
          await tunnel.stop();
          throw error;
        }
      } catch (error) {
        await http?.proc.stop();
        throw error;
      }
    },
  };
}

export const SCENARIOS: readonly ScenarioDef[] = [
  directStdio,
  directHttp,
  supergateway,
  mcpProxy,
  tunnelScenario('tunnel-stdio', 'MCP Tunnel, stdio upstream', 'stdio'),
  tunnelScenario('tunnel-stdio-serial', 'MCP Tunnel, stdio upstream, one request at a time', 'stdio', 1),
  tunnelScenario('tunnel-http', 'MCP Tunnel, HTTP upstream (the SDK server)', 'http'),
];
