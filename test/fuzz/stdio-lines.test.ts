/**
 * Property tests for JSON-RPC on stdio: the line splitter gives the same lines however the byte
 * stream is chunked (and drops only over-long lines), and a REAL stdio channel whose child writes
 * random chunks (garbage, half JSON, stray JSON-RPC messages with foreign ids, long lines) to its
 * stdout before each answer still answers every call with its own result, never restarts the
 * child, and leaves no process behind.
 */
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '../../main/core/engine/channels/channel.js';
import { LineSplitter } from '../../main/core/engine/channels/stdio/line-splitter.js';
import { createStdioChannel } from '../../main/core/engine/channels/stdio/stdio-channel.js';
import { LogHub } from '../../main/core/observability/logger.js';
import { orphanPids } from '../reliability/process-checks.js';

const EMITTER = fileURLToPath(new URL('../reliability/fixtures/line-emitter.mjs', import.meta.url));
const MAX_LINE = 4_096;

function split(chunks: Buffer[], max: number): { lines: string[]; oversized: number } {
  const lines: string[] = [];
  let oversized = 0;
  const splitter = new LineSplitter({
    maxLineBytes: max,
    onLine: (l) => lines.push(l),
    onOversized: () => oversized++,
  });
  for (const c of chunks) splitter.push(c);
  splitter.end();
  return { lines, oversized };
}

describe('fuzz: stdio line splitting', () => {
  it('chunking never changes the lines; only lines over the limit are dropped', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ minLength: 60, maxLength: 90 })), {
          maxLength: 12,
        }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (lines, cuts) => {
          const bytes = Buffer.from(lines.map((l) => l.replace(/[\r\n]/g, '') + '\n').join(''), 'utf8');
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let at = 0;
          for (const p of [...points, bytes.length]) {
            chunks.push(bytes.subarray(at, p));
            at = p;
          }
          const whole = split([bytes], 64);
          const pieces = split(chunks, 64);
          expect(pieces).toEqual(whole);
          const expected = lines
            .map((l) => l.replace(/[\r\n]/g, ''))
            .filter((l) => Buffer.byteLength(l) <= 64);
          expect(whole.lines).toEqual(expected);
          expect(whole.oversized).toBe(lines.length - expected.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('fuzz: JSON-RPC lines from a real stdio child', () => {
  const hub = new LogHub({ level: 'debug', capacity: 10_000 });
  let channel: Channel;
  const pids = new Set<number>();

  beforeAll(async () => {
    channel = createStdioChannel({
      name: 'main',
      argv: [process.execPath, EMITTER],
      logger: hub.logger('fuzz'),
      maxLineBytes: MAX_LINE,
      stopGraceMs: 500,
    });
    await channel.start();
    pids.add(channel.snapshot().pid!);
  });
  afterAll(async () => {
    await channel.stop();
    expect(await orphanPids(pids)).toEqual([]);
  });

  const stray = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc
      .record({
        jsonrpc: fc.constant('2.0'),
        id: fc.oneof(fc.string(), fc.integer({ min: 1_000_000_000 }), fc.constant(null)),
        result: fc.jsonValue({ maxDepth: 1 }),
      })
      .map((m) => JSON.stringify(m)),
    fc
      .record({
        jsonrpc: fc.constant('2.0'),
        method: fc.string({ maxLength: 20 }),
        params: fc.jsonValue({ maxDepth: 1 }),
      })
      .map((m) => JSON.stringify(m)),
    fc.constantFrom(
      '{"half": ',
      '[1,2',
      '\u0000\u0001',
      '\r',
      'x'.repeat(MAX_LINE + 10),
      '[]',
      '[{"jsonrpc":"2.0","method":"notifications/message","params":{}}]',
    ),
  );

  it('every call gets its own answer whatever the server writes around it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.array(stray, { maxLength: 3 }).map((parts) => parts.join('\n')),
          { maxLength: 5 },
        ),
        fc.string({ maxLength: 20 }),
        async (chunks, tag) => {
          const callerId = `caller-${tag}`;
          const outcome = await channel.send({
            requestId: 'fuzz',
            message: {
              jsonrpc: '2.0',
              id: callerId,
              method: 'emit',
              params: { chunks: chunks.map((c) => c + '\n'), tag },
            },
            headers: {},
            signal: AbortSignal.timeout(5_000),
            notify: () => undefined,
          });
          expect(outcome.kind).toBe('jsonrpc');
          if (outcome.kind !== 'jsonrpc') return;
          expect(outcome.message.id).toBe(callerId);
          const result = outcome.message.result as { content: { text: string }[] };
          expect(result.content[0]!.text).toBe(tag);
        },
      ),
      { numRuns: 60 },
    );
    expect(channel.snapshot()).toMatchObject({ state: 'ready', restarts: 0 });
  });
});
