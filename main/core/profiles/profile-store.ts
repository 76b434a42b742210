/**
 * Profiles on disk: `<dir>/<name>.yaml`, mode 0600 in a 0700 directory, written atomically.
 * Every save and import validates first and refuses literal secrets, so nothing invalid or
 * secret ever reaches the disk. Loading accepts a stored name or a direct path.
 */
import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import type { Document } from 'yaml';
import type { Logger } from '../observability/logger.js';
import { silentLogger } from '../observability/logger.js';
import { writeFileAtomic } from '../runtime/atomic-write.js';
import type { ConfigError } from './env-config.js';
import { ProfileError } from './profile-errors.js';
import { checkProfileName, displayPath, isValidProfileName, looksLikeProfilePath } from './profile-paths.js';
import { parseProfileText, validateProfileDocument, type ParsedProfile } from './profile-yaml.js';

export interface LoadedProfile extends ParsedProfile {
  name: string;
  /** Absolute path of the file. */
  file: string;
}

export interface ProfileListEntry {
  name: string;
  file: string;
  profile?: LoadedProfile;
  /** Set when the file exists but does not load (invalid YAML, unknown key, …). */
  error?: ConfigError;
}

export interface ProfileStoreOptions {
  dir: string;
  /** For messages (~ abbreviation); default os.homedir(). */
  home?: string;
  logger?: Logger;
  /** YAML document → text (default: the yaml library's stringify, comments kept). */
  serialize?: (doc: Document) => string;
  /** Test hook passed to the atomic writer. */
  beforeRename?: (tempPath: string) => Promise<void>;
}

export interface SaveOptions {
  /** Replace an existing profile (default: refuse). */
  force?: boolean;
}

export class ProfileStore {
  readonly dir: string;
  private readonly home: string;
  private readonly logger: Logger;

  constructor(private readonly options: ProfileStoreOptions) {
    this.dir = resolve(options.dir);
    this.home = options.home ?? homedir();
    this.logger = options.logger ?? silentLogger;
  }

  pathFor(name: string): string {
    return join(this.dir, `${checkProfileName(name)}.yaml`);
  }

  /** The path as shown in messages. */
  show(path: string): string {
    return displayPath(path, this.home);
  }

  async exists(name: string): Promise<boolean> {
    return fileExists(this.pathFor(name));
  }

  /** Every `*.yaml` profile in the directory, sorted by name; broken ones carry `error`. */
  async list(): Promise<ProfileListEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new ProfileError(
        'profile_unreadable',
        `Cannot read the profile directory ${this.show(this.dir)} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
      );
    }
    const out: ProfileListEntry[] = [];
    for (const entry of names.filter((n) => n.endsWith('.yaml')).sort()) {
      const name = entry.slice(0, -'.yaml'.length);
      if (!isValidProfileName(name)) continue;
      const file = join(this.dir, entry);
      try {
        out.push({ name, file, profile: await this.loadFile(file, name) });
      } catch (err) {
        if (!(err instanceof Error) || !('code' in err)) throw err;
        out.push({ name, file, error: err as ConfigError });
      }
    }
    return out;
  }

  /** A stored profile by name, or a file when the argument looks like a path. */
  async load(nameOrPath: string): Promise<LoadedProfile> {
    if (looksLikeProfilePath(nameOrPath)) {
      const file = resolve(nameOrPath);
      const stem = basename(file, extname(file));
      return this.loadFile(file, isValidProfileName(stem) ? stem : 'profile');
    }
    return this.loadFile(this.pathFor(nameOrPath), nameOrPath);
  }

  async loadFile(file: string, name: string): Promise<LoadedProfile> {
    const text = await this.readProfile(file, name);
    const parsed = parseProfileText(text, { file: this.show(file), profileName: name, action: 'loaded' });
    this.noteIgnored(name, parsed);
    return { ...parsed, name, file };
  }

  /** Validates (refusing literal secrets) and writes a document as profile `name`. */
  async save(name: string, doc: Document, options: SaveOptions = {}): Promise<LoadedProfile> {
    const file = this.pathFor(name);
    validateProfileDocument(doc, { file: this.show(file), profileName: name, action: 'saved' });
    const text = (this.options.serialize ?? serializeDocument)(doc);
    return this.writeText(name, file, text, options);
  }

  /** Validates and writes profile text as given (comments and layout kept). */
  async saveText(name: string, text: string, options: SaveOptions = {}): Promise<LoadedProfile> {
    const file = this.pathFor(name);
    parseProfileText(text, { file: this.show(file), profileName: name, action: 'saved' });
    return this.writeText(name, file, text, options);
  }

  /** Copies a profile file into the store after validating it; the text is kept as written. */
  async import(path: string, options: SaveOptions & { name?: string } = {}): Promise<LoadedProfile> {
    const source = resolve(path);
    const name = options.name ?? basename(source, extname(source));
    checkProfileName(name);
    const text = await this.readProfile(source, name);
    parseProfileText(text, { file: this.show(source), profileName: name, action: 'saved' });
    return this.writeText(name, this.pathFor(name), text, options);
  }

  async remove(name: string): Promise<void> {
    const file = this.pathFor(name);
    try {
      await unlink(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(name, this.show(this.dir));
      throw new ProfileError(
        'profile_write_failed',
        `Cannot remove ${this.show(file)} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
        { file: this.show(file) },
      );
    }
  }

  private async writeText(
    name: string,
    file: string,
    text: string,
    options: SaveOptions,
  ): Promise<LoadedProfile> {
    if (!options.force && (await fileExists(file))) {
      throw new ProfileError(
        'profile_exists',
        `Profile '${name}' already exists at ${this.show(file)}; pass --force to replace it.`,
        { file: this.show(file) },
      );
    }
    try {
      await writeFileAtomic(file, text, {
        mode: 0o600,
        dirMode: 0o700,
        ...(this.options.beforeRename ? { beforeRename: this.options.beforeRename } : {}),
      });
    } catch (err) {
      throw new ProfileError(
        'profile_write_failed',
        `Cannot write ${this.show(file)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the previous file, if any, is unchanged.`,
        { file: this.show(file) },
      );
    }
    const parsed = parseProfileText(text, { file: this.show(file), profileName: name, action: 'loaded' });
    return { ...parsed, name, file };
  }

  private async readProfile(file: string, name: string): Promise<string> {
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        throw file !== join(this.dir, `${name}.yaml`)
          ? new ProfileError('profile_not_found', `No profile file at ${this.show(file)}.`, {
              file: this.show(file),
            })
          : notFound(name, this.show(this.dir));
      }
      throw new ProfileError(
        'profile_unreadable',
        `Cannot read ${this.show(file)} (${code ?? 'error'}). Check its permissions.`,
        { file: this.show(file) },
      );
    }
  }

  private noteIgnored(name: string, parsed: ParsedProfile): void {
    for (const key of parsed.ignored) {
      this.logger.debug('profile key accepted and ignored', {
        profile: name,
        key: key.path,
        reason: key.reason,
      });
    }
  }
}

function serializeDocument(doc: Document): string {
  const text = doc.toString();
  return text.endsWith('\n') ? text : `${text}\n`;
}

function notFound(name: string, dir: string): ProfileError {
  return new ProfileError(
    'profile_not_found',
    `No profile '${name}' in ${dir}. Run \`mcp-tunnel profiles list\` to see the profiles, or \`mcp-tunnel init\` to create one.`,
  );
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
