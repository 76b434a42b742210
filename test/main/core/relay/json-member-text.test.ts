import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memberText } from '../../../../main/core/relay/json-member-text.js';

describe('memberText', () => {
  it('cuts a member out of compact JSON exactly as JSON.stringify wrote it', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue(), (rest, value) => {
        const text = JSON.stringify({ ...rest, resp_json: value, after: rest });
        const got = memberText(text, 'resp_json');
        // A top-level key written with escapes makes it give up (never answer wrongly).
        if (Object.keys(rest).some((k) => JSON.stringify(k).includes('\\'))) {
          expect([undefined, JSON.stringify(value)]).toContain(got);
        } else expect(got).toBe(JSON.stringify(value));
      }),
    );
  });

  it('follows JSON.parse on whitespace, escapes inside strings and duplicate keys (last wins)', () => {
    const text = ' { "a" : "x\\"}{" , "resp_json" : {"k":"\\\\"} ,"n":-1.5e3, "resp_json":[1, {"b":null}] } ';
    expect(memberText(text, 'resp_json')).toBe('[1, {"b":null}]');
    expect(JSON.parse(memberText(text, 'resp_json')!)).toEqual(
      (JSON.parse(text) as { resp_json: unknown }).resp_json,
    );
    expect(memberText(text, 'n')).toBe('-1.5e3');
  });

  it('gives up when the value spans lines, a key has escapes, or the member is absent', () => {
    expect(memberText('{"resp_json":{\n"a":1}}', 'resp_json')).toBeUndefined();
    expect(memberText('{"resp_json":{"a":1},"resp\\u005fjson":{"a":2}}', 'resp_json')).toBeUndefined();
    expect(memberText('{"other":{"resp_json":1}}', 'resp_json')).toBeUndefined();
    expect(memberText('{}', 'resp_json')).toBeUndefined();
    expect(memberText('[1]', 'resp_json')).toBeUndefined();
  });
});
