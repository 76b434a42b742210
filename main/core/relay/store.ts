/**
 * Where tunnels live. The relay reads synchronously on every request (lookups are in memory);
 * writes are async so the file-backed store can persist atomically. Records are immutable:
 * a change replaces the record, so caches keyed by record identity stay correct.
 */

export interface TunnelRecord {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Hex SHA-256 of each valid runtime key (engine → control plane). */
  readonly runtimeKeyHashes: readonly string[];
  /** Hex SHA-256 of each valid connector token (MCP client → front door). */
  readonly connectorTokenHashes: readonly string[];
  /** RFC 3339. */
  readonly createdAt: string;
}

export interface RelayStore {
  get(id: string): TunnelRecord | undefined;
  list(): TunnelRecord[];
  put(record: TunnelRecord): Promise<void>;
  /** True when the tunnel existed. */
  delete(id: string): Promise<boolean>;
  /** Release watchers and file handles. */
  close(): Promise<void>;
}

/** In-memory store: the embedded relay's default; nothing survives the process. */
export function createMemoryStore(initial: readonly TunnelRecord[] = []): RelayStore {
  const records = new Map<string, TunnelRecord>(initial.map((r) => [r.id, r]));
  return {
    get: (id) => records.get(id),
    list: () => [...records.values()],
    put: async (record) => {
      records.set(record.id, record);
    },
    delete: async (id) => records.delete(id),
    close: async () => undefined,
  };
}
