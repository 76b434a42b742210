/**
 * A small scanner over JSON text that JSON.parse accepts or may reject: positions of strings
 * and values without building them. Shared by the relay (pass `resp_json` text through) and the
 * engine (swap a top-level id in a stdio line). stringEnd and valueEnd return -1 when the text ends
 * before the thing it scans does.
 */

/** Structural characters outside strings; everything else inside a container is skipped. */
const STRUCTURE = /["{}[\]]/g;
/** Where a number, true, false or null ends. */
const SCALAR_END = /[\s,}\]]/g;
const NOT_WHITESPACE = /\S/g;

export function skipWhitespace(text: string, from: number): number {
  NOT_WHITESPACE.lastIndex = from;
  return NOT_WHITESPACE.exec(text) ? NOT_WHITESPACE.lastIndex - 1 : text.length;
}

/** Index just past the closing quote of the string that opens at `open`; -1 if unterminated. */
export function stringEnd(text: string, open: number): number {
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
export function valueEnd(text: string, start: number): number {
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
