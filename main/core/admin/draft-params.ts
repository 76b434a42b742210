/**
 * Shape checks of the wizard's `draft` parameter (whatever transport carried it): wrong types are
 * `bad_request`; values are judged later by the profile validator.
 */
import type { ChannelDraft, ConnectionKind, ProfileDraft } from '../../../preload/contract/dto.js';
import { ContractFailure } from './admin-service.js';

const CONNECTIONS: readonly ConnectionKind[] = ['openai', 'relay', 'demo'];

function bad(message: string): never {
  throw new ContractFailure({ code: 'bad_request', message });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optString(o: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') bad(`'${where}${key}' must be a string.`);
  return v;
}

export function stringMap(v: unknown, where: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) bad(`'${where}' must be an object of names to strings.`);
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v)) {
    if (typeof value !== 'string') bad(`'${where}.${k}' must be a string.`);
    out[k] = value;
  }
  return out;
}

function parseChannel(v: unknown, i: number): ChannelDraft {
  const where = `draft.channels[${i}].`;
  if (!isObject(v)) bad(`'draft.channels[${i}]' must be an object.`);
  const name = optString(v, 'name', where) ?? 'main';
  if (v.kind === 'stdio') {
    const env = stringMap(v.env, `${where}env`);
    const cwd = optString(v, 'cwd', where);
    return {
      name,
      kind: 'stdio',
      command: optString(v, 'command', where) ?? '',
      ...(env ? { env } : {}),
      ...(cwd ? { cwd } : {}),
    };
  }
  if (v.kind === 'http') {
    const headers = stringMap(v.headers, `${where}headers`);
    return { name, kind: 'http', url: optString(v, 'url', where) ?? '', ...(headers ? { headers } : {}) };
  }
  return bad(`'${where}kind' must be 'stdio' or 'http'.`);
}

export function parseDraft(value: unknown): ProfileDraft {
  if (!isObject(value)) bad("'draft' must be an object.");
  if (typeof value.name !== 'string') bad("'draft.name' must be a string.");
  if (!CONNECTIONS.includes(value.connection as ConnectionKind))
    bad("'draft.connection' must be 'openai', 'relay' or 'demo'.");
  if (value.autostart !== undefined && typeof value.autostart !== 'boolean')
    bad("'draft.autostart' must be true or false.");
  if (value.channels !== undefined && !Array.isArray(value.channels)) bad("'draft.channels' must be a list.");
  const channels = ((value.channels as unknown[] | undefined) ?? []).map(parseChannel);
  const adv = value.advanced;
  if (adv !== undefined && adv !== null && !isObject(adv)) bad("'draft.advanced' must be an object.");
  const advanced: NonNullable<ProfileDraft['advanced']> = {};
  if (isObject(adv)) {
    for (const key of ['proxyUrl', 'caBundlePath', 'clientCertPath', 'clientKeyRef'] as const) {
      const v = optString(adv, key, 'draft.advanced.');
      if (v !== undefined) advanced[key] = v;
    }
  }
  const opt = (key: string): string | undefined => optString(value, key, 'draft.')?.trim() || undefined;
  const displayName = opt('displayName');
  const tunnelId = opt('tunnelId');
  const baseUrl = opt('baseUrl');
  const apiKeyRef = opt('apiKeyRef');
  return {
    name: value.name.trim(),
    ...(displayName ? { displayName } : {}),
    connection: value.connection as ConnectionKind,
    ...(tunnelId ? { tunnelId } : {}),
    ...(baseUrl ? { baseUrl } : {}),
    ...(apiKeyRef ? { apiKeyRef } : {}),
    channels,
    autostart: value.autostart === true,
    ...(Object.keys(advanced).length ? { advanced } : {}),
  };
}
