/**
 * Writes to a real child's stdin (its write calls counted): the lines of one event-loop turn (a poll batch's requests)
 * leave in one pipe write, in order, and ending stdin first sends whatever is still queued.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  spawnChild,
  type SpawnFunction,
} from '../../../../../../main/core/engine/channels/stdio/child-process.js';
import { planSpawn } from '../../../../../../main/core/engine/channels/stdio/spawn-plan.js';
import type { JsonObject } from '../../../../../../main/core/engine/protocol/wire.js';
import { LogHub } from '../../../../../../main/core/observability/logger.js';
import { systemClock } from '../../../../../../main/core/runtime/clock.js';

/** Reads stdin to EOF, then reports the ids of the lines it got. */
const REPORTER = `
let text = '';
process.stdin.on('data', (c) => { text += c; });
process.stdin.on('end', () => {
  process.stdout.write(JSON.stringify({ lines: text.split('\\n').filter(Boolean).map((l) => JSON.parse(l).id) }) + '\\n');
});`;

async function reporter(): Promise<{
  write: (m: JsonObject) => void;
  close: () => void;
  report: Promise<JsonObject>;
  /** Calls to the child's stdin.write so far (each one a pipe write). */
  pipeWrites: () => number;
}> {
  let deliver: (m: JsonObject) => void = () => undefined;
  let pipeWrites = 0;
  const counting: SpawnFunction = (file, args, options) => {
    const child = spawn(file, args, options);
    const stdin = child.stdin!;
    const write = stdin.write.bind(stdin) as (...a: unknown[]) => boolean;
    stdin.write = ((...a: unknown[]) => {
      pipeWrites++;
      return write(...a);
    }) as typeof stdin.write;
    return child;
  };
  const report = new Promise<JsonObject>((resolve) => (deliver = resolve));
  const child = await spawnChild({
    plan: planSpawn(process.execPath, ['-e', REPORTER]),
    env: { PATH: process.env.PATH ?? '' },
    spawn: counting,
    logger: new LogHub({ level: 'debug', capacity: 100 }).logger('test'),
    clock: systemClock,
    maxLineBytes: 1 << 20,
    onMessage: (m) => deliver(m),
  });
  return {
    write: (m) => child.link.write(m),
    close: () => child.closeStdin(),
    report,
    pipeWrites: () => pipeWrites,
  };
}

describe('stdio child writes', () => {
  it('sends the lines of one turn in one write, in order', async () => {
    const child = await reporter();
    for (let id = 1; id <= 20; id++) child.write({ jsonrpc: '2.0', id, method: 'ping' });
    expect(child.pipeWrites()).toBe(0); // queued for the end of this turn
    await new Promise((r) => setImmediate(r));
    expect(child.pipeWrites()).toBe(1);
    child.write({ jsonrpc: '2.0', id: 21, method: 'ping' }); // a later turn: its own write
    child.close();
    expect(child.pipeWrites()).toBe(2);
    expect((await child.report)['lines']).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  });

  it('ending stdin sends what is still queued first', async () => {
    const child = await reporter();
    child.write({ jsonrpc: '2.0', id: 'a', method: 'ping' });
    child.write({ jsonrpc: '2.0', id: 'b', method: 'ping' });
    child.close(); // same turn: nothing has been written yet
    expect((await child.report)['lines']).toEqual(['a', 'b']);
  });
});
