/**
 * Profile text ⇄ validated profile. Parsing keeps the YAML document (comments and key order
 * survive edits and imports); validation runs the structural check and the value rules.
 * Syntax errors report line and column only, never the offending text (it may hold a secret).
 */
import { Document, LineCounter, parseDocument } from 'yaml';
import type { SecretAction } from './literal-secrets.js';
import { formatKeyPath, ProfileError } from './profile-errors.js';
import { checkProfileRules } from './profile-rules.js';
import { checkProfileStructure } from './profile-schema.js';
import type { IgnoredKey, ProfileFile } from './profile-types.js';

export interface ParsedProfile {
  /** The YAML document as written (comments kept). */
  doc: Document;
  /** The typed view (ignored reference keys left out). */
  data: ProfileFile;
  ignored: IgnoredKey[];
}

export interface ParseProfileOptions {
  /** File as shown in messages (e.g. with ~ for the home directory). */
  file: string;
  profileName: string;
  action?: SecretAction;
}

export function parseProfileText(text: string, options: ParseProfileOptions): ParsedProfile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0] ?? (first.pos[0] >= 0 ? lineCounter.linePos(first.pos[0]) : undefined);
    const at = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
    const what =
      first.code === 'DUPLICATE_KEY'
        ? 'a key appears twice in the same map'
        : first.code.toLowerCase().replace(/_/g, ' ');
    throw new ProfileError(
      'profile_yaml_invalid',
      `${options.file} is not valid YAML${at}: ${what}. Fix the file and retry.`,
      { file: options.file },
    );
  }
  return validateProfileDocument(doc, options, lineCounter);
}

/** Validates a (possibly edited) YAML document. */
export function validateProfileDocument(
  doc: Document,
  options: ParseProfileOptions,
  lineCounter?: LineCounter,
): ParsedProfile {
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch {
    // yaml throws a ReferenceError for an alias without an anchor (`*a`) and for alias bombs;
    // its message quotes the file's text, so it is not repeated here.
    throw new ProfileError(
      'profile_yaml_invalid',
      `${options.file} is not valid YAML: an alias (*name) has no matching anchor (&name), or aliases are nested too deeply. Fix the file and retry.`,
      { file: options.file },
    );
  }
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ProfileError(
      'profile_type_invalid',
      `${options.file} must hold a map of settings (config_version: 1, control_plane: …, mcp: …).`,
      { file: options.file },
    );
  }
  const lineOf = (path: ReadonlyArray<string | number>): number | undefined => {
    if (!lineCounter) return undefined;
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    const offset = node?.range?.[0];
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
  const ctx = {
    file: options.file,
    lineOf,
    profileName: options.profileName,
    action: options.action ?? 'loaded',
  };
  const { data, ignored } = checkProfileStructure(raw, ctx);
  checkProfileRules(data, raw, ctx);
  return { doc, data, ignored };
}

/** `control_plane.tunnel_id`, `mcp.commands[0].env.TOKEN` or `mcp.commands.0.env.TOKEN` → path. */
export function parseKeyPath(text: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const part of text.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m || (m[1] === '' && m[2] === '')) {
      throw new ProfileError(
        'profile_value_invalid',
        `'${text}' is not a key path; write it like control_plane.tunnel_id or mcp.commands[0].cwd.`,
      );
    }
    if (m[1]) out.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
    for (const idx of (m[2] ?? '').matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** Sets a value at a key path, creating maps (and lists for numeric segments) on the way. */
export function setIn(doc: Document, path: Array<string | number>, value: unknown): void {
  for (let i = 1; i < path.length; i++) {
    const prefix = path.slice(0, i);
    const existing: unknown = doc.getIn(prefix, true);
    if (existing === undefined || existing === null) {
      doc.setIn(prefix, doc.createNode(typeof path[i] === 'number' ? [] : {}));
    }
  }
  const last = path[path.length - 1];
  const parent: unknown = doc.getIn(path.slice(0, -1), true);
  if (typeof last === 'number' && parent && typeof parent === 'object' && 'items' in parent) {
    const items = (parent as { items: unknown[] }).items;
    if (last > items.length) {
      throw new ProfileError(
        'profile_value_invalid',
        `${formatKeyPath(path)}: index ${last} is past the end of the list (it has ${items.length} entries).`,
      );
    }
  }
  doc.setIn(path, doc.createNode(value));
}

export function deleteIn(doc: Document, path: Array<string | number>): boolean {
  return doc.deleteIn(path);
}

/** New document from plain data (used by samples and by `add`). */
export function documentFromData(data: unknown): Document {
  return new Document(data);
}
