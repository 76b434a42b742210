/**
 * Format-preserving edits of Codex's `config.toml`: add, replace or remove ONE
 * `[mcp_servers.NAME]` entry (with its sub-tables `.env`, `.http_headers`, `.tools.*`, …, or its
 * inline / dotted-key form) and leave every other byte as it was: comments, blank lines, order,
 * other tables, CRLF line breaks.
 *
 * Both the input and the output are parsed with smol-toml: an input that does not parse is
 * refused (never clobbered), and an output is only returned when it parses, holds exactly the
 * intended entry, and holds everything else unchanged.
 */
import { isDeepStrictEqual } from 'node:util';
import { parse, TomlError } from 'smol-toml';
import { assertServerName, CodexConfigError } from './codex-errors.js';
import {
  assertEntry,
  entryAsParsed,
  renderEntryInline,
  renderEntryTable,
  tomlKey,
  type CodexMcpEntry,
} from './entry-toml.js';
import { scanStatements, type TomlStatement } from './toml-statements.js';

interface TargetRange {
  start: number;
  end: number;
  /** 'table': starts with a header; 'keyval': an inline or dotted-key line range. */
  form: 'table' | 'keyval';
  /** For keyvals: the table the statement sits in, and its first statement. */
  table: string[];
  first: TomlStatement;
}

/** Adds `[mcp_servers.NAME]` or replaces the existing entry; returns the new text. */
export function upsertMcpServer(text: string, name: string, entry: CodexMcpEntry): string {
  assertServerName(name);
  assertEntry(entry);
  const before = parseConfig(text);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const ranges = findEntry(text, name);
  const main = ranges.find((r) => r.form === 'table') ?? ranges[0];
  let out: string;
  if (!main) {
    out = appendTable(text, renderEntryTable(name, entry, eol), eol);
  } else {
    const replacement =
      main.form === 'table'
        ? renderEntryTable(name, entry, eol)
        : `${main.first.indent}${relativeKey(main.table, name)} = ${renderEntryInline(entry)}${eol}`;
    out = spliceRanges(text, ranges, main, replacement);
  }
  checkResult(before, out, name, entry);
  return out;
}

/** Removes the entry (all its tables and lines); `removed` is false when it was not there. */
export function removeMcpServer(text: string, name: string): { text: string; removed: boolean } {
  assertServerName(name);
  const before = parseConfig(text);
  const ranges = findEntry(text, name);
  if (ranges.length === 0) return { text, removed: false };
  const out = spliceRanges(text, ranges, undefined, '');
  checkResult(before, out, name, undefined);
  return { text: out, removed: true };
}

/** Parses the whole document; a failure names the line smol-toml reports. */
export function parseConfig(text: string): Record<string, unknown> {
  try {
    return parse(text);
  } catch (err) {
    const where = err instanceof TomlError ? ` at line ${err.line}, column ${err.column}` : '';
    const reason = (err as Error).message.split('\n')[0] ?? 'invalid TOML';
    throw new CodexConfigError(
      'codex_config_unparsable',
      `The Codex config file is not valid TOML${where} (${reason}); it was left untouched. ` +
        "Fix that line (or run `codex mcp list` to see Codex's own error) and try again.",
    );
  }
}

/** Every range of the text that defines `mcp_servers.NAME`, adjacent ranges merged. */
function findEntry(text: string, name: string): TargetRange[] {
  const ranges: TargetRange[] = [];
  let table: string[] = [];
  let open: TargetRange | undefined;
  for (const s of scanStatements(text)) {
    if (s.kind === 'trivia') continue;
    const form = s.kind === 'keyval' ? 'keyval' : 'table';
    if (form === 'table') table = s.path;
    const full = form === 'table' ? s.path : [...table, ...s.path];
    if (full.length < 2 || full[0] !== 'mcp_servers' || full[1] !== name) {
      open = undefined;
    } else if (open && (open.form === form || open.form === 'table')) {
      // Same block: sub-tables of the entry, keys of its table, trivia between them.
      open.end = s.end;
    } else {
      open = { start: s.start, end: s.end, form, table, first: s };
      ranges.push(open);
    }
  }
  return ranges;
}

function relativeKey(table: string[], name: string): string {
  return ['mcp_servers', name].slice(table.length).map(tomlKey).join('.');
}

/** Replaces `main` with `replacement` and removes the other ranges (with one blank line each). */
function spliceRanges(
  text: string,
  ranges: TargetRange[],
  main: TargetRange | undefined,
  replacement: string,
): string {
  let out = text;
  for (const r of [...ranges].sort((a, b) => b.start - a.start)) {
    if (r === main) {
      out = out.slice(0, r.start) + replacement + out.slice(r.end);
    } else {
      const [start, end] = removalSpan(out, r.start, r.end);
      out = out.slice(0, start) + out.slice(end);
    }
  }
  return out;
}

/**
 * The span to cut for a removed block. When it sits after a blank line and before another
 * blank line (or the end of the file), that preceding blank line goes too; at the start of the
 * file, a following blank line goes. So an append followed by a remove restores the file, and
 * removals do not leave double gaps.
 */
function removalSpan(text: string, start: number, end: number): [number, number] {
  const blankAfter = /^[ \t]*\r?\n/.exec(text.slice(end));
  if (start === 0) return [0, blankAfter ? end + blankAfter[0].length : end];
  const blankBefore = /(?:^|\n)([ \t]*\r?\n)$/.exec(text.slice(0, start));
  if (blankBefore && (blankAfter || end === text.length)) return [start - blankBefore[1]!.length, end];
  return [start, end];
}

/** Appends a table after one blank line (none when the file is empty). */
function appendTable(text: string, table: string, eol: string): string {
  if (text.length === 0) return table;
  let out = text.endsWith('\n') ? text : text + eol;
  if (out.trim().length > 0 && !/\n[ \t]*\r?\n$/.test(out)) out += eol;
  return out + table;
}

function checkResult(
  before: Record<string, unknown>,
  text: string,
  name: string,
  entry: CodexMcpEntry | undefined,
): void {
  let after: Record<string, unknown>;
  try {
    after = parse(text);
  } catch (err) {
    throw editFailed(`the edited file would not parse (${(err as Error).message.split('\n')[0]})`);
  }
  const got = serversOf(after)[name];
  if (entry ? !isDeepStrictEqual(plain(got), entryAsParsed(entry)) : got !== undefined) {
    throw editFailed(`the edited file would not hold exactly the '${name}' entry`);
  }
  if (!isDeepStrictEqual(withoutEntry(before, name), withoutEntry(after, name))) {
    throw editFailed('the edit would change something besides that entry');
  }
}

function plain(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

function serversOf(doc: Record<string, unknown>): Record<string, unknown> {
  const servers = doc.mcp_servers;
  return servers && typeof servers === 'object' ? (servers as Record<string, unknown>) : {};
}

function withoutEntry(doc: Record<string, unknown>, name: string): Record<string, unknown> {
  const copy = { ...doc };
  const servers = { ...serversOf(doc) };
  delete servers[name];
  if (Object.keys(servers).length > 0) copy.mcp_servers = servers;
  else delete copy.mcp_servers;
  return copy;
}

function editFailed(why: string): CodexConfigError {
  return new CodexConfigError(
    'codex_config_edit_failed',
    `Could not edit the Codex config safely: ${why}. The file was left untouched; ` +
      'edit it by hand or with `codex mcp add`.',
  );
}
