/**
 * The profile file as we read it: the reference client's `config_version: 1` YAML
 * (openai/tunnel-client) plus our own keys. Field names stay snake_case, exactly as in the file.
 * Keys of the reference schema that have no meaning for us yet are accepted and dropped from
 * this typed view (see profile-schema.ts, IGNORED); they stay in the YAML document on disk.
 *
 * Our additions (documented in profile-schema.ts):
 *   mcp_tunnel: { display_name, connection: openai|relay|demo, autostart }   (top level)
 *   mcp.commands[]:    env (values may be secret references), cwd
 *   mcp.server_urls[]: extra_headers (values may be references), ca_bundle, proxy_url (alias of
 *                      the reference key http_proxy)
 */

export const CONNECTION_KINDS = ['openai', 'relay', 'demo'] as const;
/** OpenAI's hosted control plane, a self-hosted relay (base_url), or the local embedded demo. */
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];

export interface ProfileCommandEntry {
  /** Absent: `main`. */
  channel?: string;
  /** A command line, split shell-like (never run through a shell). */
  command: string;
  /** Variables for the server; values may be `env:` / `file:` / `keychain:` references. */
  env?: Record<string, string>;
  cwd?: string;
}

export interface ProfileServerUrlEntry {
  /** Absent: `main`. */
  channel?: string;
  url: string;
  http_proxy?: string;
  /** Our alias of http_proxy. */
  proxy_url?: string;
  client_cert?: string;
  client_key?: string;
  ca_bundle?: string;
  /** Values may be references; secret-named headers must be. */
  extra_headers?: Record<string, string>;
}

export interface ProfileFile {
  config_version?: number;
  /** Path of a PEM CA bundle (or a reference resolving to a path or to PEM text). */
  ca_bundle?: string;
  /** Proxy for every outbound connection (URL or reference). */
  http_proxy?: string;
  control_plane?: {
    base_url?: string;
    url_path?: string;
    tunnel_id?: string;
    /** Always a reference: env:NAME, file:/path or keychain:NAME. */
    api_key?: string;
    client_cert?: string;
    client_key?: string;
    http_proxy?: string;
    max_inflight_requests?: number;
    poll_timeout?: string;
  };
  mcp?: {
    server_urls?: ProfileServerUrlEntry[];
    commands?: ProfileCommandEntry[];
    http_proxy?: string;
    client_cert?: string;
    client_key?: string;
    extra_headers?: Record<string, string>;
    connection_max_ttl?: string;
    max_concurrent_requests?: number;
  };
  health?: { listen_addr?: string };
  log?: { level?: string; format?: string };
  mcp_tunnel?: { display_name?: string; connection?: ConnectionKind; autostart?: boolean };
}

/** A key of the reference schema we accept but do not use (logged at debug level). */
export interface IgnoredKey {
  path: string;
  reason: string;
}
