import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replaceTopLevelId } from '../../../../../../main/core/engine/channels/stream/json-id-text.js';
import {
  StreamMultiplexer,
  TEXT_PATH_MIN_CHARS,
} from '../../../../../../main/core/engine/channels/stream/stream-multiplexer.js';
import { encodeResponsePayload } from '../../../../../../main/core/engine/control-plane/payload-body.js';
import type { JsonObject, ResponsePayload } from '../../../../../../main/core/engine/protocol/wire.js';
import { silentLogger } from '../../../../../../main/core/observability/logger.js';
import { systemClock } from '../../../../../../main/core/runtime/clock.js';
import { rpc, toolCall } from './channel-test-kit.js';

/** The reference path: parse the line, put the caller's id back, serialize. */
function viaParse(text: string, callerId: string | number): unknown {
  const message = JSON.parse(text) as JsonObject;
  message.id = callerId;
  return JSON.parse(JSON.stringify(message));
}

const callerIdArb = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
const writtenWithEscapes = (key: string): boolean => JSON.stringify(key).includes('\\');
/** Member names that are not `id` but may look like it; written without escapes (see below for those). */
const otherKeyArb = fc
  .oneof(fc.string(), fc.constantFrom('ID', 'id ', ' id', 'idx', ''))
  .filter((k) => k !== 'id' && !writtenWithEscapes(k));

/** Arbitrary JSON-RPC responses from a child, as the line it wrote (any member order, spacing). */
const responseLineArb = fc
  .record({
    internalId: fc.nat(),
    body: fc.oneof(
      fc.record({ result: fc.jsonValue() }),
      fc.record({
        error: fc.record({
          code: fc.integer(),
          message: fc.string(),
          data: fc.option(fc.jsonValue(), { nil: undefined }),
        }),
      }),
    ),
    extra: fc.dictionary(otherKeyArb, fc.jsonValue(), { maxKeys: 3 }),
    order: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
    space: fc.constantFrom('', ' ', '\t', '  '),
  })
  .map(({ internalId, body, extra, order, space }) => {
    const members: [string, unknown][] = [
      ['jsonrpc', '2.0'],
      ['id', internalId],
      ...Object.entries(body),
      ...Object.entries(extra).filter(([k]) => !['jsonrpc', 'result', 'error'].includes(k)),
    ];
    members.sort((a, b) => (order[members.indexOf(a) % 8] ?? 0) - (order[members.indexOf(b) % 8] ?? 0));
    const inner = members
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${space}${JSON.stringify(k)}${space}:${space}${JSON.stringify(v)}${space}`)
      .join(',');
    return `${space}{${inner}}${space}`;
  });

describe('replaceTopLevelId', () => {
  it('equals the parse/stringify path for arbitrary JSON-RPC responses', () => {
    fc.assert(
      fc.property(responseLineArb, callerIdArb, (line, callerId) => {
        const text = replaceTopLevelId(line, JSON.stringify(callerId));
        // Plain keys and a single id: the text path must always be taken.
        expect(text).toBeDefined();
        expect(JSON.parse(text as string)).toEqual(viaParse(line, callerId));
      }),
      { numRuns: 500 },
    );
  });

  it('never disagrees with the parse/stringify path on arbitrary JSON objects (gives up instead)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('id', 'i"d', 'x\\', '\n')), fc.jsonValue()),
        callerIdArb,
        (object, callerId) => {
          const line = JSON.stringify(object);
          const text = replaceTopLevelId(line, JSON.stringify(callerId));
          const plainKeys = !Object.keys(object).some(writtenWithEscapes);
          if (!('id' in object)) expect(text).toBeUndefined();
          else if (plainKeys) expect(text).toBeDefined();
          if (text !== undefined) expect(JSON.parse(text)).toEqual(viaParse(line, callerId));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps ids inside nested values and strings, and only touches the top-level member', () => {
    const line = '{"result":{"id":7,"text":"\\"id\\":7"},"jsonrpc":"2.0","id":7}';
    expect(replaceTopLevelId(line, '"abc"')).toBe(
      '{"result":{"id":7,"text":"\\"id\\":7"},"jsonrpc":"2.0","id":"abc"}',
    );
  });

  it('gives up when the id is ambiguous or the text is not one object', () => {
    expect(replaceTopLevelId('{"id":1,"id":2,"result":1}', '5')).toBeUndefined(); // duplicate key
    expect(replaceTopLevelId('{"\\u0069d":1,"result":1}', '5')).toBeUndefined(); // escaped key
    expect(replaceTopLevelId('{"result":1}', '5')).toBeUndefined(); // no id
    expect(replaceTopLevelId('[{"id":1}]', '5')).toBeUndefined();
    expect(replaceTopLevelId('{}', '5')).toBeUndefined();
    expect(replaceTopLevelId('{"id":1} {"id":2}', '5')).toBeUndefined();
    expect(replaceTopLevelId('{"id":1,"result":"unterminated}', '5')).toBeUndefined();
  });
});

describe('text path through the multiplexer and the response body', () => {
  it('carries the child line with the caller id restored, and the POST body equals the stringify one', async () => {
    const m = new StreamMultiplexer({ logger: silentLogger, clock: systemClock, handshakeTimeoutMs: 1000 });
    const written: JsonObject[] = [];
    await m.linkUp({ write: (msg) => void written.push(msg) });
    const pending = rpc(m, toolCall('caller-7', 'echo', { text: 'hi' }));
    await new Promise((r) => setImmediate(r));
    const internalId = written[0]?.id as number;
    const long = 'x'.repeat(TEXT_PATH_MIN_CHARS);
    const line = `{"result":{"content":[{"type":"text","text":"hé \\"id\\": ✓ ${long}"}]} , "id" : ${internalId},"jsonrpc":"2.0"}`;
    m.receive(JSON.parse(line) as JsonObject, line);
    const outcome = await pending;
    if (outcome.kind !== 'jsonrpc') throw new Error(`unexpected outcome ${outcome.kind}`);
    expect(outcome.message.id).toBe('caller-7');
    expect(outcome.messageText).toBe(line.replace(`${internalId},`, '"caller-7",'));
    expect(JSON.parse(outcome.messageText as string)).toEqual(outcome.message);

    const payload: ResponsePayload = {
      request_id: 'req_1',
      channel: 'main',
      resp_type: 'jsonrpc_response',
      resp_code: 200,
      resp_headers: outcome.headers,
      resp_json: outcome.message,
    };
    const viaText = encodeResponsePayload(payload, outcome.messageText);
    const viaStringify = encodeResponsePayload(payload);
    expect(JSON.parse(viaText.body.toString('utf8'))).toEqual(JSON.parse(viaStringify.body.toString('utf8')));
    expect(viaText.respJsonBytes).toBe(Buffer.byteLength(outcome.messageText as string, 'utf8'));
  });

  it('falls back to the parsed message without text, with an ambiguous id, or for short lines', async () => {
    const m = new StreamMultiplexer({ logger: silentLogger, clock: systemClock, handshakeTimeoutMs: 1000 });
    const written: JsonObject[] = [];
    await m.linkUp({ write: (msg) => void written.push(msg) });
    const a = rpc(m, toolCall(1, 'echo', {}));
    const b = rpc(m, toolCall(2, 'echo', {}));
    const c = rpc(m, toolCall(3, 'echo', {}));
    await new Promise((r) => setImmediate(r));
    const [wa, wb, wc] = written;
    const long = 'x'.repeat(TEXT_PATH_MIN_CHARS);
    m.receive({ jsonrpc: '2.0', id: wa?.id, result: { long } });
    const dup = `{"jsonrpc":"2.0","id":0,"id":${wb?.id as number},"result":{"long":"${long}"}}`;
    m.receive(JSON.parse(dup) as JsonObject, dup);
    const short = `{"jsonrpc":"2.0","id":${wc?.id as number},"result":{}}`;
    m.receive(JSON.parse(short) as JsonObject, short);
    for (const [pending, id] of [
      [a, 1],
      [b, 2],
      [c, 3],
    ] as const) {
      const outcome = await pending;
      expect(outcome).toMatchObject({ kind: 'jsonrpc', message: { id } });
      expect(outcome.kind === 'jsonrpc' && outcome.messageText).toBe(undefined);
    }
  });
});
