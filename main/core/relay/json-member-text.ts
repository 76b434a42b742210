/**
 * The raw text of one top-level member of a JSON object, so the relay can pass the engine's
 * `resp_json` to the caller as received instead of serializing the parsed value again.
 *
 * Only for text that `JSON.parse` has already accepted (the scanner checks structure, not
 * validity). Like `JSON.parse`, the last of duplicate keys wins. Gives up (undefined) when a key
 * is written with escapes (it could name the member without matching it literally) or when the
 * value spans a line break (it would break an SSE `data:` line): callers then serialize the
 * parsed value as before.
 */

/** Structural characters outside strings; everything else inside a container is skipped. */
const STRUCTURE = /["{}[\]]/g;
/** Where a number, true, false or null ends. */
const SCALAR_END = /[\s,}\]]/g;
const NOT_WHITESPACE = /\S/g;

export function memberText(text: string, key: string): string | undefined {
  let i = skipWhitespace(text, 0);
  if (text[i] !== '{') return undefined;
  let found: string | undefined;
  i = skipWhitespace(text, i + 1);
  if (text[i] === '}') return undefined;
  for (;;) {
    if (text[i] !== '"') return undefined;
    const keyEnd = stringEnd(text, i);
    const name = text.slice(i + 1, keyEnd - 1);
    if (name.includes('\\')) return undefined;
    i = skipWhitespace(text, keyEnd);
    if (text[i] !== ':') return undefined;
    const start = skipWhitespace(text, i + 1);
    const end = valueEnd(text, start);
    if (name === key) found = text.slice(start, end);
    i = skipWhitespace(text, end);
    if (text[i] === ',') {
      i = skipWhitespace(text, i + 1);
      continue;
    }
    if (text[i] !== '}') return undefined;
    return found !== undefined && !/[\r\n]/.test(found) ? found : undefined;
  }
}

function skipWhitespace(text: string, from: number): number {
  NOT_WHITESPACE.lastIndex = from;
  return NOT_WHITESPACE.exec(text) ? NOT_WHITESPACE.lastIndex - 1 : text.length;
}

/** Index just past the closing quote of the string that opens at `open`. */
function stringEnd(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** Index just past the value that starts at `start`. */
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
    if (!STRUCTURE.exec(text)) return text.length;
    const at = STRUCTURE.lastIndex - 1;
    const c = text[at];
    if (c === '"') {
      i = stringEnd(text, at);
      continue;
    }
    depth += c === '{' || c === '[' ? 1 : -1;
    i = at + 1;
    if (depth === 0) return i;
  }
}
