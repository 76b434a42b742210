/**
 * Every secret reference a doctor run depends on, wherever it is written: the profile (any key,
 * e.g. control_plane.api_key, mcp.server_urls[0].extra_headers.Authorization,
 * mcp.commands[0].env.TOKEN, ca_bundle), the reference client's environment variables that
 * accept references (CA_BUNDLE, MCP_EXTRA_HEADERS values, …) and the command-line flags.
 * Each is resolved on its own so the report names every broken one, not only the first.
 * Resolved values go to the scrubber and nowhere else.
 */
import type { ProfileFile } from '../profiles/profile-types.js';
import { flagOverrides, type ProfileFlagValues } from '../profiles/profile-flags.js';
import {
  describeSecretRef,
  parseSecretRef,
  resolveSecretRef,
  type SecretReader,
  type SecretRef,
} from '../secrets/secret-ref.js';

export interface SecretRefUse {
  /** Where it is written: a profile key path, a variable or a flag. */
  where: string;
  ref: SecretRef;
}

export interface SecretRefResult extends SecretRefUse {
  ok: boolean;
  /** Why it does not resolve (names the reference, never a value). */
  problem?: string;
}

/** Variables whose values resolveProfile reads through the reference resolver. */
const REFERENCE_VARIABLES = [
  'CONTROL_PLANE_BASE_URL',
  'CONTROL_PLANE_URL_PATH',
  'CONTROL_PLANE_CLIENT_CERT',
  'CONTROL_PLANE_CLIENT_KEY',
  'CA_BUNDLE',
  'HEALTH_LISTEN_ADDR',
  'MCP_SERVER_URL',
  'MCP_COMMAND',
] as const;

export function collectSecretRefs(
  data: ProfileFile | undefined,
  env: NodeJS.ProcessEnv,
  flags: ProfileFlagValues | undefined,
): SecretRefUse[] {
  const out: SecretRefUse[] = [];
  const add = (where: string, value: unknown): void => {
    if (typeof value !== 'string') return;
    const ref = parseSecretRef(value);
    if (ref) out.push({ where, ref });
  };
  walk(data ?? {}, '', add);
  for (const name of REFERENCE_VARIABLES) {
    for (const line of (env[name] ?? '').split(/\r?\n/)) {
      // Multi-line MCP_COMMAND / MCP_SERVER_URL entries: `channel=NAME,command=REF`.
      add(name, line.replace(/^channel=[^,]*,(command|url)=/, ''));
    }
  }
  for (const [header, value] of headerEntries(env.MCP_EXTRA_HEADERS))
    add(`MCP_EXTRA_HEADERS (${header})`, value);
  const f = flagOverrides(flags);
  add('--control-plane.api-key-ref', f.apiKeyRef);
  add('--control-plane.base-url', f.baseUrl);
  add('--control-plane.url-path', f.urlPath);
  add('--control-plane.client-cert', f.clientCert);
  add('--control-plane.client-key', f.clientKey);
  add('--ca-bundle', f.caBundle);
  add('--health.listen-addr', f.healthListenAddr);
  for (const t of f.commands) add(`--mcp.command (${t.channel})`, t.value);
  for (const t of f.serverUrls) add(`--mcp.server-url (${t.channel})`, t.value);
  for (const [header, value] of headerEntries(f.extraHeaders.join('\n')))
    add(`--mcp.extra-headers (${header})`, value);
  return out;
}

function walk(value: unknown, path: string, add: (where: string, value: unknown) => void): void {
  if (typeof value === 'string') {
    add(path, value);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, `${path}[${i}]`, add));
    return;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value as Record<string, unknown>))
      walk(item, path === '' ? key : `${path}.${key}`, add);
  }
}

/** `Name: value` lines or a JSON object, as parseExtraHeaders reads them; malformed input yields nothing. */
function headerEntries(raw: string | undefined): Array<[string, string]> {
  const text = raw?.trim() ?? '';
  if (text === '') return [];
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        return Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [k, String(v)]);
    } catch {
      // resolveProfile reports the malformed value
    }
    return [];
  }
  return text
    .split(/\r?\n|\\n/)
    .map((line) => line.trim())
    .filter((line) => line.indexOf(':') > 0)
    .map((line) => [line.slice(0, line.indexOf(':')).trim(), line.slice(line.indexOf(':') + 1).trim()]);
}

export interface ResolveRefsOptions {
  env: NodeJS.ProcessEnv;
  keychain?: SecretReader;
  readText?: (path: string) => Promise<string>;
  /** Called with every resolved value (for the scrubber). */
  onValue: (value: string) => void;
}

export async function resolveSecretRefs(
  uses: readonly SecretRefUse[],
  options: ResolveRefsOptions,
): Promise<SecretRefResult[]> {
  const results: SecretRefResult[] = [];
  for (const use of uses) {
    try {
      const value = await resolveSecretRef(use.ref, {
        env: options.env,
        ...(options.keychain ? { keychain: options.keychain } : {}),
        ...(options.readText ? { readText: options.readText } : {}),
      });
      options.onValue(value);
      results.push({ ...use, ok: true });
    } catch (err) {
      results.push({ ...use, ok: false, problem: (err as Error).message });
    }
  }
  return results;
}

export function describeUse(use: SecretRefUse): string {
  return `${use.where} → ${describeSecretRef(use.ref)}`;
}

/**
 * A keychain reader that asks the store once per entry name during a run (the references are
 * resolved one by one, then again by resolveProfile): keytar calls are slow and may prompt.
 */
export function memoizedReader(reader: SecretReader): SecretReader {
  const answers = new Map<string, Promise<string | null>>();
  return {
    get(name: string): Promise<string | null> {
      let answer = answers.get(name);
      if (!answer) {
        answer = reader.get(name);
        answers.set(name, answer);
      }
      return answer;
    },
  };
}
