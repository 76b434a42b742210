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

import { skipWhitespace, stringEnd, valueEnd } from '../runtime/json-scan.js';

export function memberText(text: string, key: string): string | undefined {
  let i = skipWhitespace(text, 0);
  if (text[i] !== '{') return undefined;
  let found: string | undefined;
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
    if (end < 0) return undefined;
    if (name === key) found = text.slice(start, end);
    i = skipWhitespace(text, end);
    if (text[i] === ',') {
      i = skipWhitespace(text, i + 1);
      continue;
    }
    if (text[i] !== '}') return undefined;
    // indexOf of one character is a plain memory scan, several times faster than a regex here.
    return found !== undefined && !found.includes('\n') && !found.includes('\r') ? found : undefined;
  }
}
