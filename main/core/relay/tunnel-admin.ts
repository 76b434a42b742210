/**
 * Tunnel management over a store: create, list, rotate credentials, delete. Used by the running
 * relay (`relay.tunnels`) and by the CLI directly on the state file. Secrets are returned once,
 * from create and rotate, and never stored or listed.
 */
import type { RelayStore, TunnelRecord } from './store.js';
import { hashSecret, newConnectorToken, newRuntimeKey, newTunnelId } from './tunnel-secrets.js';

/** What create/rotate hand out once: give `runtimeKey` to the engine, `connectorToken` to MCP clients. */
export interface IssuedTunnel {
  tunnelId: string;
  runtimeKey: string;
  connectorToken: string;
  mcpUrl: string;
}

/** A tunnel as listed: never any secret. */
export interface TunnelSummary {
  tunnelId: string;
  name: string;
  description: string;
  createdAt: string;
  mcpUrl: string;
}

export class TunnelNotFoundError extends Error {
  readonly code = 'tunnel_not_found';
  constructor(id: string) {
    super(`No tunnel ${id} in this relay. List tunnels with \`mcp-tunnel relay tunnels list\`.`);
  }
}

export interface TunnelAdmin {
  create(name?: string, description?: string): Promise<IssuedTunnel>;
  list(): TunnelSummary[];
  /** New runtime key AND connector token; the old ones stop working immediately. */
  rotateKey(id: string): Promise<IssuedTunnel>;
  delete(id: string): Promise<boolean>;
}

export interface TunnelAdminOptions {
  store: RelayStore;
  /** The MCP URL a client uses for a tunnel (depends on the relay's public URL). */
  mcpUrlFor: (tunnelId: string) => string;
  wallNow?: () => number;
}

export function createTunnelAdmin(options: TunnelAdminOptions): TunnelAdmin {
  const { store, mcpUrlFor } = options;
  const wallNow = options.wallNow ?? Date.now;

  const issue = async (base: Omit<TunnelRecord, 'runtimeKeyHashes' | 'connectorTokenHashes'>) => {
    const runtimeKey = newRuntimeKey();
    const connectorToken = newConnectorToken();
    await store.put({
      ...base,
      runtimeKeyHashes: [hashSecret(runtimeKey)],
      connectorTokenHashes: [hashSecret(connectorToken)],
    });
    return { tunnelId: base.id, runtimeKey, connectorToken, mcpUrl: mcpUrlFor(base.id) };
  };

  return {
    create: async (name, description) => {
      let id = newTunnelId();
      while (store.get(id)) id = newTunnelId();
      return issue({
        id,
        name: name?.trim() || 'MCP Tunnel',
        description: description ?? '',
        createdAt: new Date(wallNow()).toISOString(),
      });
    },
    list: () =>
      store
        .list()
        .map((r) => ({
          tunnelId: r.id,
          name: r.name,
          description: r.description,
          createdAt: r.createdAt,
          mcpUrl: mcpUrlFor(r.id),
        }))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
    rotateKey: async (id) => {
      const record = store.get(id);
      if (!record) throw new TunnelNotFoundError(id);
      return issue({ id, name: record.name, description: record.description, createdAt: record.createdAt });
    },
    delete: (id) => store.delete(id),
  };
}
