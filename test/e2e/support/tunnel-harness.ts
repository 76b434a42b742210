/**
 * End-to-end harness: a real embedded relay, real engines (`buildTunnel`) polling it, real MCP
 * SDK clients on the front door. Everything it starts is tracked and torn down by `cleanup()`
 * (clients first, then engines, then servers), so one `afterEach(() => e2e.cleanup())` suffices.
 */
import { Client, type ClientOptions } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Implementation } from '@modelcontextprotocol/sdk/types.js';
import { buildTunnel } from '../../../main/core/engine/build-tunnel.js';
import type { ChannelConfig, TunnelConfig } from '../../../main/core/engine/config.js';
import type { CommandRecord } from '../../../main/core/engine/dispatcher/types.js';
import type { Tunnel } from '../../../main/core/engine/tunnel.js';
import { silentLogger } from '../../../main/core/observability/logger.js';
import { startEmbeddedRelay, type EmbeddedRelay } from '../../../main/core/relay/embedded.js';
import type { RelayOptions } from '../../../main/core/relay/relay-server.js';

export interface RunningEngine {
  tunnel: Tunnel;
  instanceId: string;
  /** One record per finished command, in completion order. */
  records: CommandRecord[];
  stop(): Promise<void>;
}

export interface EngineOptions {
  /** Control-plane base URL; default the relay's own (a recording proxy may sit in between). */
  controlPlaneUrl?: string;
  name?: string;
  pollTimeoutMs?: number;
}

export interface ConnectedClient {
  client: Client;
  transport: StreamableHTTPClientTransport;
}

type Closer = () => Promise<unknown>;

export class E2eHarness {
  readonly #clients: Closer[] = [];
  readonly #engines: Closer[] = [];
  readonly #servers: Closer[] = [];

  /** An embedded relay on 127.0.0.1:0 with one tunnel. */
  async relay(options: RelayOptions & { tunnelName?: string } = {}): Promise<EmbeddedRelay> {
    const relay = await startEmbeddedRelay(options);
    this.#servers.push(() => relay.close());
    return relay;
  }

  /**
   * Track any other resource for cleanup, closed in one of the three phases: with the
   * `clients`, the `engines`, or (default) the `servers` and relays, last.
   */
  track(close: Closer, phase: 'clients' | 'engines' | 'servers' = 'servers'): void {
    ({ clients: this.#clients, engines: this.#engines, servers: this.#servers })[phase].push(close);
  }

  /** A real engine for `relay`'s tunnel with these channels, started and ready. */
  async engine(
    relay: EmbeddedRelay,
    channels: ChannelConfig[],
    options: EngineOptions = {},
  ): Promise<RunningEngine> {
    const config: TunnelConfig = {
      name: options.name ?? 'e2e',
      controlPlane: {
        baseUrl: options.controlPlaneUrl ?? relay.controlPlaneUrl,
        tunnelId: relay.tunnelId,
        apiKey: relay.runtimeKey,
        maxInflight: 20,
        pollTimeoutMs: options.pollTimeoutMs ?? 5_000,
      },
      channels,
      maxConcurrent: 10,
      connectionMaxTtlMs: 10 * 60_000,
    };
    const records: CommandRecord[] = [];
    const built = buildTunnel({ config, logger: silentLogger, onRecord: (r) => records.push(r) });
    let stopped: Promise<void> | undefined;
    const stop = (): Promise<void> => (stopped ??= built.tunnel.stop());
    this.#engines.push(stop);
    await built.tunnel.start();
    await built.tunnel.whenReady(AbortSignal.timeout(10_000)).catch((error: unknown) => {
      const status = built.tunnel.status();
      throw new Error(
        `engine ${config.name} did not become ready: ${(error as Error).message}; state ${JSON.stringify(status.state)}`,
      );
    });
    return { tunnel: built.tunnel, instanceId: built.instanceId, records, stop };
  }

  /** An SDK client (Streamable HTTP) connected to `url` with the connector token. */
  async client(
    url: string,
    token: string,
    options: ClientOptions = {},
    setup?: (client: Client) => void,
    info: Implementation = { name: 'e2e-client', version: '1.0.0' },
  ): Promise<ConnectedClient> {
    const transport = new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    });
    const client = new Client(info, options);
    setup?.(client);
    this.#clients.push(() => client.close());
    await client.connect(transport);
    return { client, transport };
  }

  async cleanup(): Promise<void> {
    for (const group of [this.#clients, this.#engines, this.#servers]) {
      const closers = group.splice(0).reverse();
      await Promise.allSettled(closers.map((close) => close()));
    }
  }
}

/** Wait until `check()` holds, polling every 10 ms; fail naming `what` after `ms`. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 5_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
