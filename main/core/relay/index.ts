/** The relay: a self-hostable tunnel service (control plane + MCP front door). */
export { createRelay, RELAY_DEFAULTS, type Relay, type RelayOptions } from './relay-server.js';
export { startEmbeddedRelay, type EmbeddedRelay } from './embedded.js';
export { createMemoryStore, type RelayStore, type TunnelRecord } from './store.js';
export { openFileStore, RelayStateError, type FileRelayStore, type FileStoreOptions } from './file-store.js';
export {
  createTunnelAdmin,
  TunnelNotFoundError,
  type IssuedTunnel,
  type TunnelAdmin,
  type TunnelSummary,
} from './tunnel-admin.js';
export { defaultRelayStatePath, platformConfigDir } from './state-path.js';
export type { RelayMetrics } from './metrics.js';
export type { RelaySettings } from './relay-context.js';
