/**
 * A light scanner that splits a (valid) TOML document into top-level statements with their
 * byte ranges, without interpreting values: table headers, key/value pairs (a value may span
 * lines: arrays, multi-line strings) and trivia (blank or comment-only lines).
 *
 * It is what lets the Codex editor replace one table while leaving every other byte alone. It
 * assumes the text already parsed with smol-toml; on text that does not, its ranges are
 * meaningless (callers parse first).
 */
import { parse } from 'smol-toml';

export interface TomlStatement {
  kind: 'table' | 'array-table' | 'keyval' | 'trivia';
  /** Offset of the first character of the line the statement starts on. */
  start: number;
  /** Offset just after the statement's terminating line break (or the end of the text). */
  end: number;
  /** Header key path (tables) or the key path left of `=` (keyvals); empty for trivia. */
  path: string[];
  /** Leading whitespace of the statement's first line. */
  indent: string;
}

const BARE_KEY = /[A-Za-z0-9_-]/;

export function scanStatements(text: string): TomlStatement[] {
  const out: TomlStatement[] = [];
  // A byte-order mark is not part of any statement (and stays where it is).
  let pos = text.startsWith('\uFEFF') ? 1 : 0;
  while (pos < text.length) {
    const start = pos;
    while (text[pos] === ' ' || text[pos] === '\t') pos += 1;
    const indent = text.slice(start, pos);
    const ch = text[pos];
    if (ch === undefined || ch === '\n' || ch === '\r' || ch === '#') {
      pos = lineEnd(text, pos);
      out.push({ kind: 'trivia', start, end: pos, path: [], indent });
    } else if (ch === '[') {
      const array = text[pos + 1] === '[';
      const keys = readKeyPath(text, pos + (array ? 2 : 1));
      pos = lineEnd(text, keys.end);
      out.push({ kind: array ? 'array-table' : 'table', start, end: pos, path: keys.path, indent });
    } else {
      const keys = readKeyPath(text, pos);
      pos = valueEnd(text, keys.end + 1);
      out.push({ kind: 'keyval', start, end: pos, path: keys.path, indent });
    }
  }
  return out;
}

/** Offset after the next line break at or after `pos` (or the end of the text). */
function lineEnd(text: string, pos: number): number {
  const nl = text.indexOf('\n', pos);
  return nl === -1 ? text.length : nl + 1;
}

/** Reads `a . "b" . 'c'` up to the `=` or `]` that ends it; `end` points at that character. */
function readKeyPath(text: string, from: number): { path: string[]; end: number } {
  const path: string[] = [];
  let pos = from;
  for (;;) {
    while (text[pos] === ' ' || text[pos] === '\t') pos += 1;
    const ch = text[pos];
    if (ch === '"' || ch === "'") {
      const close = ch === '"' ? basicStringEnd(text, pos + 1) : text.indexOf("'", pos + 1) + 1;
      path.push(decodeQuotedKey(text.slice(pos, close)));
      pos = close;
    } else {
      const begin = pos;
      while (pos < text.length && BARE_KEY.test(text[pos]!)) pos += 1;
      path.push(text.slice(begin, pos));
    }
    while (text[pos] === ' ' || text[pos] === '\t') pos += 1;
    if (text[pos] !== '.') return { path, end: pos };
    pos += 1;
  }
}

function decodeQuotedKey(raw: string): string {
  if (raw.startsWith("'")) return raw.slice(1, -1);
  const value = parse(`k = ${raw}`).k;
  return typeof value === 'string' ? value : raw;
}

/** Offset just after the closing quote of a single-line basic string whose body starts at `pos`. */
function basicStringEnd(text: string, pos: number): number {
  while (pos < text.length) {
    const ch = text[pos];
    if (ch === '\\') pos += 2;
    else if (ch === '"') return pos + 1;
    else pos += 1;
  }
  return pos;
}

/** Offset after the line break that ends a value starting at `pos` (brackets and strings aware). */
function valueEnd(text: string, pos: number): number {
  let depth = 0;
  while (pos < text.length) {
    const ch = text[pos]!;
    if (ch === '"' || ch === "'") {
      if (text.startsWith(ch.repeat(3), pos)) pos = multilineEnd(text, pos + 3, ch);
      else if (ch === '"') pos = basicStringEnd(text, pos + 1);
      else pos = text.indexOf("'", pos + 1) + 1;
    } else if (ch === '#') {
      const nl = text.indexOf('\n', pos);
      pos = nl === -1 ? text.length : nl;
    } else if (ch === '\n') {
      if (depth === 0) return pos + 1;
      pos += 1;
    } else {
      if (ch === '[' || ch === '{') depth += 1;
      else if (ch === ']' || ch === '}') depth -= 1;
      pos += 1;
    }
  }
  return text.length;
}

/** Offset after the delimiter closing a multi-line string (up to two extra quotes belong to it). */
function multilineEnd(text: string, pos: number, quote: string): number {
  const delimiter = quote.repeat(3);
  while (pos < text.length) {
    if (quote === '"' && text[pos] === '\\') {
      pos += 2;
      continue;
    }
    if (text.startsWith(delimiter, pos)) {
      pos += 3;
      let extra = 0;
      while (extra < 2 && text[pos] === quote) {
        pos += 1;
        extra += 1;
      }
      return pos;
    }
    pos += 1;
  }
  return pos;
}
