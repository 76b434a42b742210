/**
 * Field edits on a profile's YAML document (comments and layout kept), as `profiles add`,
 * `profiles edit` and `init` apply them. Validation happens when the store saves the document.
 */
import { parse, type Document } from 'yaml';
import { ProfileError } from './profile-errors.js';
import { deleteIn, parseKeyPath, setIn } from './profile-yaml.js';
import type { ConnectionKind } from './profile-types.js';

export interface ProfileEdits {
  tunnelId?: string;
  baseUrl?: string;
  urlPath?: string;
  apiKeyRef?: string;
  clientCert?: string;
  clientKey?: string;
  maxInflight?: number;
  pollTimeout?: string;
  /** Binds channel main to this command (replacing a main URL). */
  mcpCommand?: string;
  /** Binds channel main to this URL (replacing a main command). */
  mcpServerUrl?: string;
  extraHeaders?: Record<string, string>;
  maxConcurrent?: number;
  connectionMaxTtl?: string;
  caBundle?: string;
  healthListenAddr?: string;
  logLevel?: string;
  logFormat?: string;
  displayName?: string;
  connection?: ConnectionKind;
  autostart?: boolean;
  /** `key.path=value` assignments; values are read as YAML scalars (true, 5, text). */
  set?: string[];
  /** Key paths to remove. */
  unset?: string[];
}

export function applyEdits(doc: Document, edits: ProfileEdits): void {
  const put = (path: Array<string | number>, value: unknown): void => {
    if (value !== undefined) setIn(doc, path, value);
  };
  put(['control_plane', 'tunnel_id'], edits.tunnelId);
  put(['control_plane', 'base_url'], edits.baseUrl);
  put(['control_plane', 'url_path'], edits.urlPath);
  put(['control_plane', 'api_key'], edits.apiKeyRef);
  put(['control_plane', 'client_cert'], edits.clientCert);
  put(['control_plane', 'client_key'], edits.clientKey);
  put(['control_plane', 'max_inflight_requests'], edits.maxInflight);
  put(['control_plane', 'poll_timeout'], edits.pollTimeout);
  put(['mcp', 'max_concurrent_requests'], edits.maxConcurrent);
  put(['mcp', 'connection_max_ttl'], edits.connectionMaxTtl);
  for (const [name, value] of Object.entries(edits.extraHeaders ?? {}))
    put(['mcp', 'extra_headers', name], value);
  put(['ca_bundle'], edits.caBundle);
  put(['health', 'listen_addr'], edits.healthListenAddr);
  put(['log', 'level'], edits.logLevel);
  put(['log', 'format'], edits.logFormat);
  put(['mcp_tunnel', 'display_name'], edits.displayName);
  put(['mcp_tunnel', 'connection'], edits.connection);
  put(['mcp_tunnel', 'autostart'], edits.autostart);
  if (edits.mcpCommand !== undefined)
    bindMain(doc, 'commands', { channel: 'main', command: edits.mcpCommand });
  if (edits.mcpServerUrl !== undefined)
    bindMain(doc, 'server_urls', { channel: 'main', url: edits.mcpServerUrl });
  for (const assignment of edits.set ?? []) {
    const i = assignment.indexOf('=');
    if (i <= 0)
      throw new ProfileError(
        'profile_value_invalid',
        `--set '${assignment.slice(0, 60)}': write it as key.path=value.`,
      );
    setIn(doc, parseKeyPath(assignment.slice(0, i)), scalar(assignment.slice(i + 1)));
  }
  for (const keyPath of edits.unset ?? []) deleteIn(doc, parseKeyPath(keyPath));
}

/** The main channel becomes `entry`; a main entry in the other list is removed. */
function bindMain(doc: Document, list: 'commands' | 'server_urls', entry: Record<string, string>): void {
  const other = list === 'commands' ? 'server_urls' : 'commands';
  const mainIndex = (name: string): number => {
    const items: unknown = doc.getIn(['mcp', name]);
    const js =
      items && typeof items === 'object' && 'toJSON' in items
        ? (items as { toJSON(): unknown }).toJSON()
        : undefined;
    return Array.isArray(js)
      ? js.findIndex(
          (e: unknown) =>
            !e || typeof e !== 'object' || ((e as { channel?: string }).channel ?? 'main') === 'main',
        )
      : -1;
  };
  const otherIndex = mainIndex(other);
  if (otherIndex >= 0) {
    deleteIn(doc, ['mcp', other, otherIndex]);
    const rest: unknown = doc.getIn(['mcp', other]);
    if (
      rest &&
      typeof rest === 'object' &&
      'items' in rest &&
      (rest as { items: unknown[] }).items.length === 0
    )
      deleteIn(doc, ['mcp', other]);
  }
  const index = mainIndex(list);
  const field = list === 'commands' ? 'command' : 'url';
  if (index >= 0) {
    setIn(doc, ['mcp', list, index, field], entry[field]);
  } else if (doc.getIn(['mcp', list]) !== undefined) {
    doc.addIn(['mcp', list], doc.createNode(entry));
  } else {
    setIn(doc, ['mcp', list], [entry]);
  }
}

function scalar(text: string): unknown {
  try {
    const value: unknown = parse(text);
    return value === null ? text : value;
  } catch {
    return text;
  }
}
