/**
 * MCP Tunnel as users run it, in two processes of its own so each can be measured: a relay
 * (`mcp-tunnel relay serve` with a file state holding one tunnel) and an engine
 * (`mcp-tunnel run` configured by the reference client's environment variables).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startProcess, type BenchProcess } from './processes.js';

export interface TunnelSettings {
  /** CONTROL_PLANE_MAX_INFLIGHT_REQUESTS */
  maxInflight: number;
  /** MCP_MAX_CONCURRENT_REQUESTS */
  maxConcurrent: number;
  /** LOG_LEVEL of the engine. */
  logLevel: string;
}

export type Upstream = { kind: 'stdio'; commandLine: string } | { kind: 'http'; url: string };

export interface TunnelSetupOptions {
  buildDir: string;
  tmpDir: string;
  env: NodeJS.ProcessEnv;
  upstream: Upstream;
  settings: TunnelSettings;
  /** Run relay and engine with --cpu-prof, profiles written under this folder. */
  cpuProfDir?: string;
}

export interface RunningTunnel {
  relay: BenchProcess;
  engine: BenchProcess;
  mcpUrl: string;
  connectorToken: string;
  stop(): Promise<void>;
}

interface IssuedJson {
  tunnel_id: string;
  runtime_key: string;
  connector_token: string;
}

function profArgs(dir: string | undefined, role: string): string[] {
  if (!dir) return [];
  const out = join(dir, role);
  mkdirSync(out, { recursive: true });
  return ['--cpu-prof', '--cpu-prof-dir', out];
}

export async function startTunnel(options: TunnelSetupOptions): Promise<RunningTunnel> {
  const bin = join(options.buildDir, 'main/cli/bin.js');
  mkdirSync(options.tmpDir, { recursive: true });
  const state = join(options.tmpDir, 'relay-state.json');
  const issued = JSON.parse(
    execFileSync(
      process.execPath,
      [bin, 'relay', 'tunnels', 'create', '--name', 'bench', '--state', state, '--json'],
      {
        env: options.env,
        encoding: 'utf8',
      },
    ),
  ) as IssuedJson;

  const relay = startProcess({
    name: 'relay',
    command: process.execPath,
    args: [
      ...profArgs(options.cpuProfDir, 'relay'),
      bin,
      'relay',
      'serve',
      '--listen',
      '127.0.0.1:0',
      '--state',
      state,
    ],
    env: options.env,
  });
  let engine: BenchProcess | undefined;
  try {
    const relayUrl = (await relay.waitFor(/Relay listening on (http:\/\/\S+)/, 'its listening line'))[1]!;
    const { settings, upstream } = options;
    engine = startProcess({
      name: 'engine',
      command: process.execPath,
      args: [
        ...profArgs(options.cpuProfDir, 'engine'),
        bin,
        'run',
        '--info-file',
        join(options.tmpDir, 'info.json'),
      ],
      env: {
        ...options.env,
        CONTROL_PLANE_BASE_URL: relayUrl,
        CONTROL_PLANE_TUNNEL_ID: issued.tunnel_id,
        CONTROL_PLANE_API_KEY: issued.runtime_key,
        CONTROL_PLANE_MAX_INFLIGHT_REQUESTS: String(settings.maxInflight),
        MCP_MAX_CONCURRENT_REQUESTS: String(settings.maxConcurrent),
        LOG_LEVEL: settings.logLevel,
        ...(upstream.kind === 'stdio'
          ? { MCP_COMMAND: upstream.commandLine }
          : { MCP_SERVER_URL: upstream.url }),
      },
    });
    await engine.waitFor(/MCP Tunnel is ready/, 'its ready line');
    const started = engine;
    return {
      relay,
      engine: started,
      mcpUrl: `${relayUrl}/v1/mcp/${issued.tunnel_id}`,
      connectorToken: issued.connector_token,
      stop: async () => {
        await started.stop();
        await relay.stop();
      },
    };
  } catch (error) {
    await engine?.stop();
    await relay.stop();
    throw error;
  }
}
