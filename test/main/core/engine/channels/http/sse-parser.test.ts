import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from '../../../../../../main/core/engine/channels/http/sse-parser.js';

function parseAll(
  chunks: (string | Uint8Array)[],
  max = 1 << 20,
): { events: SseEvent[]; parser: SseParser; results: string[] } {
  const events: SseEvent[] = [];
  const parser = new SseParser((e) => events.push(e), max);
  const enc = new TextEncoder();
  const results = chunks.map((c) => parser.push(typeof c === 'string' ? enc.encode(c) : c));
  return { events, parser, results };
}

describe('SseParser', () => {
  it('handles multi-line data, comments, event, id and retry fields', () => {
    const { events, parser } = parseAll([
      ': heartbeat\n',
      'id: 1\nretry: 1500\ndata:\n\n',
      'event: message\nid: 2\ndata: {"a":\ndata: 1}\n\n',
      'data:no-space\n\n',
    ]);
    expect(events).toEqual([
      { type: 'message', data: '', lastEventId: '1' },
      { type: 'message', data: '{"a":\n1}', lastEventId: '2' },
      { type: 'message', data: 'no-space', lastEventId: '2' },
    ]);
    expect(parser.retryMs).toBe(1500);
    expect(parser.lastEventId).toBe('2');
  });

  it('accepts CRLF and CR line endings split across chunks and UTF-8 split mid-character', () => {
    const bytes = new TextEncoder().encode('data: é\r\n\r\ndata: x\r\rdata: y\n\n');
    const chunks = [...bytes].map((b) => new Uint8Array([b]));
    const { events } = parseAll(chunks);
    expect(events.map((e) => e.data)).toEqual(['é', 'x', 'y']);
  });

  it('yields the same events however the stream is chunked', () => {
    const stream = 'id: 7\ndata: {"x":1}\n\n: c\r\ndata: a\r\ndata: b\r\n\r\nevent: e\rdata: z\r\r';
    const whole = parseAll([stream]).events;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 8 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const pieces: string[] = [];
        let last = 0;
        for (const p of points) {
          pieces.push(stream.slice(last, p));
          last = p;
        }
        pieces.push(stream.slice(last));
        expect(parseAll(pieces).events).toEqual(whole);
      }),
    );
    expect(whole.map((e) => [e.type, e.data])).toEqual([
      ['message', '{"x":1}'],
      ['message', 'a\nb'],
      ['e', 'z'],
    ]);
  });

  it('reports too_large when one event exceeds the bound, and ignores input after stop()', () => {
    expect(parseAll(['data: ' + 'x'.repeat(100)], 64).results).toEqual(['too_large']);
    expect(parseAll(['data: ' + 'x'.repeat(40) + '\ndata: ' + 'y'.repeat(40) + '\n'], 64).results).toEqual([
      'too_large',
    ]);
    const { parser, events } = parseAll(['data: 1\n\n']);
    parser.stop();
    parser.push(new TextEncoder().encode('data: 2\n\n'));
    expect(events).toHaveLength(1);
  });
});
