/**
 * One call → an in-process relay on loopback with one tunnel: the app's default first run and
 * the harness of every end-to-end test.
 */
import { createRelay, type Relay, type RelayOptions } from './relay-server.js';

export interface EmbeddedRelay {
  relay: Relay;
  tunnelId: string;
  /** For the engine: `Authorization: Bearer` on /v1/tunnels/…. */
  runtimeKey: string;
  /** For MCP clients: `Authorization: Bearer` on the MCP URL. */
  connectorToken: string;
  /** `<relay>/v1/mcp/<tunnelId>`. */
  mcpUrl: string;
  /** The engine's CONTROL_PLANE_BASE_URL. */
  controlPlaneUrl: string;
  close(): Promise<void>;
}

export async function startEmbeddedRelay(
  options: RelayOptions & { tunnelName?: string } = {},
): Promise<EmbeddedRelay> {
  const { tunnelName, ...relayOptions } = options;
  const relay = await createRelay({ host: '127.0.0.1', port: 0, ...relayOptions });
  try {
    const issued = await relay.tunnels.create(tunnelName ?? 'Embedded tunnel');
    return {
      relay,
      tunnelId: issued.tunnelId,
      runtimeKey: issued.runtimeKey,
      connectorToken: issued.connectorToken,
      mcpUrl: issued.mcpUrl,
      controlPlaneUrl: relay.url,
      close: () => relay.close(),
    };
  } catch (error) {
    await relay.close();
    throw error;
  }
}
