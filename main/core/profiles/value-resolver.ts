/**
 * Turns profile, environment and flag values into what the engine uses: secret references
 * resolved (errors name the setting and the reference, never a value) and certificate / key /
 * CA settings read into PEM text.
 *
 * A certificate setting is a path, `file:/path` (the file holds the PEM), or an `env:` /
 * `keychain:` reference holding either PEM text or a path (the reference client's enterprise
 * sample uses `ca_bundle: env:ENTERPRISE_CA_BUNDLE` with a path in the variable).
 */
import { readFile } from 'node:fs/promises';
import { parseSecretRef, resolveSecretRef, SecretError, type SecretReader } from '../secrets/secret-ref.js';
import { ConfigError } from './env-config.js';
import { ProfileError } from './profile-errors.js';
import { expandHome } from './profile-paths.js';

export interface ValueResolverOptions {
  env: NodeJS.ProcessEnv;
  keychain?: SecretReader;
  readText?: (path: string) => Promise<string>;
  /** Profile file as shown in messages. */
  file?: string;
  home?: string;
}

export class ValueResolver {
  private readonly readText: (path: string) => Promise<string>;

  constructor(private readonly options: ValueResolverOptions) {
    this.readText = options.readText ?? ((p: string) => readFile(p, 'utf8'));
  }

  /** Options for resolveSecretRef / parseExtraHeaders. */
  get secretOptions(): {
    env: NodeJS.ProcessEnv;
    keychain?: SecretReader;
    readText: (path: string) => Promise<string>;
  } {
    return {
      env: this.options.env,
      readText: this.readText,
      ...(this.options.keychain ? { keychain: this.options.keychain } : {}),
    };
  }

  /** The value itself, or what a reference points at. `where` names the setting. */
  async value(raw: string, where: string): Promise<string> {
    const ref = parseSecretRef(raw);
    if (!ref) return raw;
    try {
      return await resolveSecretRef(ref, {
        env: this.options.env,
        readText: this.readText,
        ...(this.options.keychain ? { keychain: this.options.keychain } : {}),
      });
    } catch (err) {
      if (err instanceof SecretError) {
        throw new ProfileError('profile_secret_unresolved', `${where}: ${err.message}`, {
          file: this.options.file,
        });
      }
      throw err;
    }
  }

  /** PEM text for a certificate, key or CA setting. */
  async material(raw: string, where: string): Promise<string> {
    const ref = parseSecretRef(raw);
    let pathText = raw;
    if (ref) {
      const resolved = await this.value(raw, where);
      if (ref.kind === 'file' || resolved.includes('-----BEGIN '))
        return resolved.endsWith('\n') ? resolved : `${resolved}\n`;
      pathText = resolved.trim();
    }
    const path = expandHome(pathText, this.options.home ? { home: this.options.home } : {});
    try {
      return await this.readText(path);
    } catch (err) {
      throw new ConfigError(
        'file_unreadable',
        `${where}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}). Check the path and that this user may read it.`,
      );
    }
  }
}

/** "control_plane.api_key in ~/…/work.yaml", or the flag / variable name. */
export function settingName(keyPath: string, file: string | undefined): string {
  return file ? `${keyPath} in ${file}` : keyPath;
}

export function checkHttpUrl(value: string, where: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigError('url_invalid', `${where} must be an http:// or https:// URL.`);
  }
  return value;
}
