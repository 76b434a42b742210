/**
 * Restoring the caller's id in the raw text of a JSON-RPC response, so a message from a stdio
 * child can be passed on as written instead of being serialized again when only its id changes.
 *
 * Only for text that `JSON.parse` has already accepted as an object (the scanner checks
 * structure, not validity). Gives up (undefined) unless the top-level `"id"` member is found
 * unambiguously: exactly one key spelled `id` and no key written with escapes (an escaped key
 * could name `id` without matching it literally). Callers then serialize the parsed message.
 */

/** Structural characters outside strings; everything else inside a container is skipped. */
const STRUCTURE = /["{}[\]]/g;
/** Where a number, true, false or null ends. */
const SCALAR_END = /[\s,}\]]/g;
const NOT_WHITESPACE = /\S/g;

/**
 * `text` with the value of its top-level `id` member replaced by `idJson` (already JSON, e.g.
 * `JSON.stringify(callerId)`), or undefined when that cannot be done unambiguously.
 */
export function replaceTopLevelId(text: string, idJson: string): string | undefined {
  let i = skipWhitespace(text, 0);
  if (text[i] !== '{') return undefined;
  let idStart = -1;
  let idEnd = -1;
  i = skipWhitespace(text, i + 1);
  if (text[i] === '}') return undefined;
  for (;;) {
    if (text[i] !== '"') return undefined;
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return undefined;
    const name = text.slice(i + 1, keyEnd - 1);
    if (name.includes('\\')) return undefined;
    i = skipWhitespace(text, keyEnd);
    if (text[i] !== ':') return undefined;
    const start = skipWhitespace(text, i + 1);
    const end = valueEnd(text, start);
    if (end < 0 || end === start) return undefined;
    if (name === 'id') {
      if (idStart >= 0) return undefined; // duplicate keys: leave it to JSON.parse semantics
      idStart = start;
      idEnd = end;
    }
    i = skipWhitespace(text, end);
    if (text[i] === ',') {
      i = skipWhitespace(text, i + 1);
      continue;
    }
    if (text[i] !== '}' || skipWhitespace(text, i + 1) !== text.length) return undefined;
    if (idStart < 0) return undefined;
    return text.slice(0, idStart) + idJson + text.slice(idEnd);
  }
}

function skipWhitespace(text: string, from: number): number {
  NOT_WHITESPACE.lastIndex = from;
  return NOT_WHITESPACE.exec(text) ? NOT_WHITESPACE.lastIndex - 1 : text.length;
}

/** Index just past the closing quote of the string that opens at `open`; -1 if unterminated. */
function stringEnd(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** Index just past the value that starts at `start`; -1 if it does not end. */
function valueEnd(text: string, start: number): number {
  const first = text[start];
  if (first === '"') return stringEnd(text, start);
  if (first !== '{' && first !== '[') {
    SCALAR_END.lastIndex = start;
    return SCALAR_END.exec(text) ? SCALAR_END.lastIndex - 1 : text.length;
  }
  let depth = 0;
  let i = start;
  for (;;) {
    STRUCTURE.lastIndex = i;
    if (!STRUCTURE.exec(text)) return -1;
    const at = STRUCTURE.lastIndex - 1;
    const c = text[at];
    if (c === '"') {
      i = stringEnd(text, at);
      if (i < 0) return -1;
      continue;
    }
    depth += c === '{' || c === '[' ? 1 : -1;
    i = at + 1;
    if (depth === 0) return i;
  }
}
