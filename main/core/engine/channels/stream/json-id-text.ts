/**
 * Restoring the caller's id in the raw text of a JSON-RPC response, so a message from a stdio
 * child can be passed on as written instead of being serialized again when only its id changes.
 *
 * Only for text that `JSON.parse` has already accepted as an object (the scanner checks
 * structure, not validity). Gives up (undefined) unless the top-level `"id"` member is found
 * unambiguously: exactly one key spelled `id` and no key written with escapes (an escaped key
 * could name `id` without matching it literally). Callers then serialize the parsed message.
 */

import { skipWhitespace, stringEnd, valueEnd } from '../../../runtime/json-scan.js';

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
