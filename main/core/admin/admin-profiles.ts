/**
 * The wizard's profile methods: `profiles.validate`, `profiles.save`, `profiles.remove`,
 * `profiles.get`. A draft becomes a profile YAML document and goes through the profile
 * validator the CLI uses (nothing is re-implemented here); secret values go into the OS
 * keychain under `<profile>.api-key` / `<profile>.client-key` and the profile keeps only the
 * `keychain:` references. No secret is ever returned.
 */
import type {
  ChannelDraft,
  ProfileDraft,
  ProfileSecrets,
  ProfileSummary,
  ValidationIssue,
} from '../../../preload/contract/dto.js';
import { ConfigError } from '../profiles/env-config.js';
import { ProfileError } from '../profiles/profile-errors.js';
import { checkProfileName } from '../profiles/profile-paths.js';
import { connectionOf } from '../profiles/profile-rules.js';
import type { LoadedProfile, ProfileStore } from '../profiles/profile-store.js';
import type { ProfileFile } from '../profiles/profile-types.js';
import { documentFromData, validateProfileDocument } from '../profiles/profile-yaml.js';
import { SecretError } from '../secrets/secret-ref.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { ContractFailure } from './admin-service.js';
import { parseDraft } from './draft-params.js';

export interface ProfileAdminDeps {
  store: ProfileStore;
  secrets: SecretStore;
  /** Runs (or restarts) the saved profile's tunnel; called for `profiles.save {start:true}`. */
  startProfile?: (name: string) => Promise<void>;
  /** Stops and forgets a removed profile's tunnel, if it runs. */
  forgetProfile?: (name: string) => Promise<void>;
}

export interface ProfileAdmin {
  validate(params: Record<string, unknown>): Promise<{ issues: ValidationIssue[] }>;
  save(params: Record<string, unknown>): Promise<ProfileSummary>;
  remove(params: Record<string, unknown>): Promise<{ removed: boolean }>;
  get(params: Record<string, unknown>): Promise<ProfileDraft>;
}

export const apiKeyEntry = (profile: string): string => `${profile}.api-key`;
export const clientKeyEntry = (profile: string): string => `${profile}.client-key`;

const KEYCHAIN_FALLBACK =
  'Or skip the keychain: enter the key as a reference instead, env:NAME (an environment variable of the daemon) or file:/path (a file only you can read).';

/** The profile file a draft describes (plain data; the validator decides whether it is valid). */
export function draftToProfileData(draft: ProfileDraft): ProfileFile {
  const own = draft.connection !== 'demo';
  const adv = draft.advanced ?? {};
  const controlPlane: NonNullable<ProfileFile['control_plane']> = {
    ...(draft.baseUrl ? { base_url: draft.baseUrl } : {}),
    ...(own && draft.tunnelId ? { tunnel_id: draft.tunnelId } : {}),
    ...(own && draft.apiKeyRef ? { api_key: draft.apiKeyRef } : {}),
    ...(adv.clientCertPath ? { client_cert: adv.clientCertPath } : {}),
    ...(adv.clientKeyRef ? { client_key: adv.clientKeyRef } : {}),
  };
  const commands = draft.channels.flatMap((c) =>
    c.kind === 'stdio'
      ? [
          {
            channel: c.name,
            command: c.command,
            ...(c.env && Object.keys(c.env).length ? { env: c.env } : {}),
            ...(c.cwd ? { cwd: c.cwd } : {}),
          },
        ]
      : [],
  );
  const urls = draft.channels.flatMap((c) =>
    c.kind === 'http'
      ? [
          {
            channel: c.name,
            url: c.url,
            ...(c.headers && Object.keys(c.headers).length ? { extra_headers: c.headers } : {}),
          },
        ]
      : [],
  );
  return {
    config_version: 1,
    ...(adv.caBundlePath ? { ca_bundle: adv.caBundlePath } : {}),
    ...(adv.proxyUrl ? { http_proxy: adv.proxyUrl } : {}),
    ...(Object.keys(controlPlane).length ? { control_plane: controlPlane } : {}),
    ...(commands.length || urls.length
      ? { mcp: { ...(commands.length ? { commands } : {}), ...(urls.length ? { server_urls: urls } : {}) } }
      : {}),
    mcp_tunnel: {
      ...(draft.displayName ? { display_name: draft.displayName } : {}),
      connection: draft.connection,
      autostart: draft.autostart,
    },
  };
}

/** The profile file → the wizard's draft (references as written, never resolved). */
export function profileDataToDraft(name: string, data: ProfileFile): ProfileDraft {
  const cp = data.control_plane ?? {};
  const channels: ChannelDraft[] = [
    ...(data.mcp?.commands ?? []).map((c): ChannelDraft => ({
      name: c.channel ?? 'main',
      kind: 'stdio',
      command: c.command,
      ...(c.env ? { env: c.env } : {}),
      ...(c.cwd ? { cwd: c.cwd } : {}),
    })),
    ...(data.mcp?.server_urls ?? []).map((s): ChannelDraft => ({
      name: s.channel ?? 'main',
      kind: 'http',
      url: s.url,
      ...(s.extra_headers ? { headers: s.extra_headers } : {}),
    })),
  ];
  const advanced = {
    ...(data.http_proxy ? { proxyUrl: data.http_proxy } : {}),
    ...(data.ca_bundle ? { caBundlePath: data.ca_bundle } : {}),
    ...(cp.client_cert ? { clientCertPath: cp.client_cert } : {}),
    ...(cp.client_key ? { clientKeyRef: cp.client_key } : {}),
  };
  return {
    name,
    ...(data.mcp_tunnel?.display_name ? { displayName: data.mcp_tunnel.display_name } : {}),
    connection: connectionOf(data),
    ...(cp.tunnel_id ? { tunnelId: cp.tunnel_id } : {}),
    ...(cp.base_url ? { baseUrl: cp.base_url } : {}),
    ...(cp.api_key ? { apiKeyRef: cp.api_key } : {}),
    channels,
    autostart: data.mcp_tunnel?.autostart ?? false,
    ...(Object.keys(advanced).length ? { advanced } : {}),
  };
}

export function summaryOf(profile: LoadedProfile): ProfileSummary {
  const data = profile.data;
  return {
    name: profile.name,
    ...(data.mcp_tunnel?.display_name ? { displayName: data.mcp_tunnel.display_name } : {}),
    connection: connectionOf(data),
    ...(data.control_plane?.tunnel_id ? { tunnelId: data.control_plane.tunnel_id } : {}),
    channels: [
      ...(data.mcp?.commands ?? []).map((c) => ({
        name: c.channel ?? 'main',
        kind: 'stdio' as const,
        target: c.command,
      })),
      ...(data.mcp?.server_urls ?? []).map((s) => ({
        name: s.channel ?? 'main',
        kind: 'http' as const,
        target: s.url,
      })),
    ],
    autostart: data.mcp_tunnel?.autostart ?? false,
  };
}

/** Tunnel ids `mcp-tunnel run` gives its built-in tunnels; a saved profile must not replace them. */
const RESERVED_NAMES = new Set(['demo', 'env']);

/**
 * Every problem the wizard can show for a draft: what a tunnel of that kind needs (tunnel id,
 * relay URL, an MCP server), then the first rule the profile validator reports.
 */
export function validateDraft(draft: ProfileDraft, secrets: ProfileSecrets = {}): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  try {
    checkProfileName(draft.name);
  } catch (err) {
    issues.push({ path: 'name', message: (err as Error).message });
  }
  if (RESERVED_NAMES.has(draft.name)) {
    issues.push({
      path: 'name',
      message: `'${draft.name}' is the name of a built-in tunnel (the demo, or the one from environment variables): choose another name.`,
    });
  }
  if (draft.connection !== 'demo' && !draft.tunnelId?.trim())
    issues.push({
      path: 'control_plane.tunnel_id',
      message:
        draft.connection === 'relay'
          ? 'Enter the tunnel id (tunnel_…): create one with `mcp-tunnel relay tunnels create`.'
          : 'Enter the tunnel id (tunnel_…): copy it from the tunnel settings page.',
    });
  if (draft.connection === 'relay' && !draft.baseUrl?.trim())
    issues.push({
      path: 'control_plane.base_url',
      message: 'Enter the URL of your relay, e.g. https://relay.example.com.',
    });
  if (draft.connection !== 'demo' && draft.channels.length === 0)
    issues.push({ path: 'mcp', message: 'Add the MCP server: a command to start, or its URL.' });
  const withRefs = withSecretRefs(draft, secrets);
  try {
    validateProfileDocument(documentFromData(draftToProfileData(withRefs)), {
      file: `profile '${draft.name || 'new'}'`,
      profileName: draft.name || 'new',
      action: 'saved',
    });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const path = err instanceof ProfileError ? (err.keyPath ?? '') : '';
    if (!issues.some((i) => i.path === path)) issues.push({ path, message: err.message });
  }
  return issues;
}

/** The draft as it will be written: typed secrets replaced by their keychain references. */
function withSecretRefs(draft: ProfileDraft, secrets: ProfileSecrets): ProfileDraft {
  const name = draft.name;
  return {
    ...draft,
    ...(secrets.apiKey && draft.connection !== 'demo' ? { apiKeyRef: `keychain:${apiKeyEntry(name)}` } : {}),
    ...(secrets.clientKeyPem
      ? { advanced: { ...draft.advanced, clientKeyRef: `keychain:${clientKeyEntry(name)}` } }
      : {}),
  };
}

function parseSecrets(value: unknown): ProfileSecrets {
  if (value === undefined) return {};
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new ContractFailure({ code: 'bad_request', message: "'secrets' must be an object." });
  const s = value as Record<string, unknown>;
  const out: ProfileSecrets = {};
  for (const key of ['apiKey', 'clientKeyPem'] as const) {
    const v = s[key];
    if (v === undefined || v === '') continue;
    if (typeof v !== 'string')
      throw new ContractFailure({ code: 'bad_request', message: `'secrets.${key}' must be a string.` });
    out[key] = v;
  }
  return out;
}

function mapProfileError(err: unknown): never {
  if (err instanceof ProfileError) {
    if (err.code === 'profile_exists')
      throw new ContractFailure({
        code: 'conflict',
        message: `${err.message.replace(/; pass --force to replace it\.$/, '.')} Pick another name, or open it to edit it.`,
      });
    if (err.code === 'profile_not_found')
      throw new ContractFailure({ code: 'not_found', message: err.message });
    if (err.code === 'profile_write_failed' || err.code === 'profile_unreadable')
      throw new ContractFailure({ code: 'unavailable', message: err.message });
    throw new ContractFailure({
      code: 'validation_failed',
      message: err.message,
      issues: [{ path: err.keyPath ?? '', message: err.message }],
    });
  }
  throw err;
}

export function createProfileAdmin(deps: ProfileAdminDeps): ProfileAdmin {
  const { store, secrets } = deps;
  const nameOf = (params: Record<string, unknown>): string => {
    const name = params.name;
    if (typeof name !== 'string' || name === '')
      throw new ContractFailure({ code: 'bad_request', message: "'name' must be a non-empty string." });
    try {
      return checkProfileName(name);
    } catch (err) {
      throw new ContractFailure({ code: 'bad_request', message: (err as Error).message });
    }
  };

  async function storeSecret(entry: string, value: string): Promise<void> {
    try {
      await secrets.set(entry, value);
    } catch (err) {
      if (err instanceof SecretError && err.code === 'keychain_unavailable')
        throw new ContractFailure({
          code: 'keychain_unavailable',
          message: `${err.message} ${KEYCHAIN_FALLBACK}`,
        });
      if (err instanceof SecretError)
        throw new ContractFailure({ code: 'bad_request', message: err.message });
      throw err;
    }
  }

  return {
    async validate(params) {
      return { issues: validateDraft(parseDraft(params.draft)) };
    },
    async save(params) {
      const draft = parseDraft(params.draft);
      const typed = parseSecrets(params.secrets);
      const issues = validateDraft(draft, typed);
      if (issues.length > 0)
        throw new ContractFailure({
          code: 'validation_failed',
          message: `The profile is not valid yet: ${issues[0]?.message ?? ''}`,
          issues,
        });
      if (params.replace !== true && (await store.exists(draft.name)))
        throw new ContractFailure({
          code: 'conflict',
          message: `A profile named '${draft.name}' already exists: pick another name, or remove it first.`,
        });
      if (typed.apiKey && draft.connection !== 'demo')
        await storeSecret(apiKeyEntry(draft.name), typed.apiKey);
      if (typed.clientKeyPem) await storeSecret(clientKeyEntry(draft.name), typed.clientKeyPem);
      const doc = documentFromData(draftToProfileData(withSecretRefs(draft, typed)));
      const saved = await store
        .save(draft.name, doc, { force: params.replace === true })
        .catch(mapProfileError);
      if (params.start === true) await deps.startProfile?.(draft.name);
      return summaryOf(saved);
    },
    async remove(params) {
      const name = nameOf(params);
      await store.remove(name).catch(mapProfileError);
      await deps.forgetProfile?.(name);
      for (const entry of [apiKeyEntry(name), clientKeyEntry(name)])
        await secrets.delete(entry).catch(() => false);
      return { removed: true };
    },
    async get(params) {
      const loaded = await store.load(nameOf(params)).catch(mapProfileError);
      return profileDataToDraft(loaded.name, loaded.data);
    },
  };
}
