/**
 * Errors about a profile: a stable code, the file and the key path they concern, and a message
 * that says what to do next. Messages never contain a secret value (only key paths and file
 * names). ProfileError is a ConfigError, so callers that map ConfigError to exit code 2 keep
 * working.
 */
import { ConfigError } from './env-config.js';

export type ProfileErrorCode =
  | 'profile_yaml_invalid'
  | 'profile_unknown_key'
  | 'profile_type_invalid'
  | 'profile_value_invalid'
  | 'profile_literal_secret'
  | 'profile_channel_invalid'
  | 'profile_channel_duplicate'
  | 'profile_channel_main_missing'
  | 'profile_tunnel_id_invalid'
  | 'profile_url_invalid'
  | 'profile_duration_invalid'
  | 'profile_version_unsupported'
  | 'profile_name_invalid'
  | 'profile_not_found'
  | 'profile_exists'
  | 'profile_unreadable'
  | 'profile_write_failed'
  | 'profile_sample_unknown'
  | 'profile_secret_unresolved';

export class ProfileError extends ConfigError {
  readonly file: string | undefined;
  readonly keyPath: string | undefined;

  constructor(
    code: ProfileErrorCode,
    message: string,
    where: { file?: string | undefined; keyPath?: string | undefined } = {},
  ) {
    super(code, message);
    this.name = 'ProfileError';
    this.file = where.file;
    this.keyPath = where.keyPath;
  }
}

/** `mcp.commands[0].env.TOKEN` from ['mcp', 'commands', 0, 'env', 'TOKEN']. */
export function formatKeyPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}
