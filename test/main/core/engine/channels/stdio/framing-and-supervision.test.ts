import { describe, expect, it } from 'vitest';
import {
  LineSplitter,
  type LineEdges,
} from '../../../../../../main/core/engine/channels/stdio/line-splitter.js';
import { answerIdOf } from '../../../../../../main/core/engine/channels/stdio/child-process.js';
import { createStderrLog } from '../../../../../../main/core/engine/channels/stdio/stderr-log.js';
import { StdioSupervisor } from '../../../../../../main/core/engine/channels/stdio/supervisor.js';
import type {
  RunningChild,
  ChildExit,
} from '../../../../../../main/core/engine/channels/stdio/child-process.js';
import { StreamMultiplexer } from '../../../../../../main/core/engine/channels/stream/stream-multiplexer.js';
import { LogHub, silentLogger } from '../../../../../../main/core/observability/logger.js';
import type { Clock } from '../../../../../../main/core/runtime/clock.js';

/** A clock whose sleeps are recorded and only end when the test advances time past them. */
function manualClock() {
  let now = 0;
  const sleeps: { until: number; ms: number; resolve: () => void }[] = [];
  const clock: Clock = {
    now: () => now,
    wallNow: () => now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        sleeps.push({ until: now + ms, ms, resolve });
        signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      }),
  };
  return {
    clock,
    sleeps,
    advance(ms: number) {
      now += ms;
      for (const s of sleeps.splice(0)) {
        if (s.until <= now) s.resolve();
        else sleeps.push(s);
      }
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('LineSplitter', () => {
  it('frames lines across chunks, strips CR, and drops an oversized line but keeps going', () => {
    const lines: string[] = [];
    const dropped: number[] = [];
    const s = new LineSplitter({
      maxLineBytes: 8,
      onLine: (l) => lines.push(l),
      onOversized: (b) => dropped.push(b),
    });
    s.push(Buffer.from('ab'));
    s.push(Buffer.from('c\r\nde\n0123'));
    s.push(Buffer.from('456789xyz'));
    s.push(Buffer.from('more\nok\nta'));
    s.push(Buffer.from('il'));
    s.end();
    expect(lines).toEqual(['abc', 'de', 'ok', 'tail']);
    expect(dropped).toEqual([17]);
  });

  it('reports the first and last bytes of a dropped line, across chunks', () => {
    const edges: LineEdges[] = [];
    const s = new LineSplitter({
      maxLineBytes: 300,
      onLine: () => undefined,
      onOversized: (_, e) => edges.push(e),
    });
    const line = `{"result":{"text":"${'x'.repeat(1000)}"},"jsonrpc":"2.0","id":42}`;
    for (let i = 0; i < line.length; i += 7) s.push(Buffer.from(line.slice(i, i + 7)));
    s.push(Buffer.from('\r\n{"id":1}\n'));
    expect(edges).toEqual([{ head: line.slice(0, 128), tail: `${line.slice(-127)}\r` }]);
    expect(answerIdOf(edges[0]!)).toBe(42);
  });
});

describe('answerIdOf', () => {
  const of = (head: string, tail = ''): number | undefined => answerIdOf({ head, tail });
  it('finds the id of an answer at its head or, for an answer that starts with result/error, at its tail', () => {
    expect(of('{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"xxxx')).toBe(7);
    expect(of('{"id":8,"jsonrpc":"2.0","error":{"code":-1,"message":"xxxx')).toBe(8);
    expect(of('{"result":{"content":[{"text":"xx', 'xxxx"}]},"jsonrpc":"2.0","id":9}')).toBe(9);
    expect(of(' { "jsonrpc" : "2.0" , "error" : {"data":"xx', 'xx"} , "id" : 10 } \r')).toBe(10);
  });

  it('never takes the id of a server request, a nested id, or an unreadable line', () => {
    expect(of('{"jsonrpc":"2.0","id":3,"method":"sampling/createMessage","params":{"x":"')).toBeUndefined();
    expect(
      of('{"method":"sampling/createMessage","params":{"x":"', 'xx"},"jsonrpc":"2.0","id":3}'),
    ).toBeUndefined();
    expect(of('{"result":{"items":[{"id":4,"text":"', 'xxxx"}]}}')).toBeUndefined();
    expect(of('{"result":{"a":"', 'xx","id":"s-1"}')).toBeUndefined();
    expect(of('garbage garbage', ',"id":5}')).toBeUndefined();
  });
});

describe('stderr log', () => {
  it('truncates long lines and bounds the rate per window', () => {
    const hub = new LogHub({ level: 'debug' });
    const time = manualClock();
    const sink = createStderrLog({
      logger: hub.logger('x'),
      clock: time.clock,
      maxLineChars: 5,
      maxLinesPerWindow: 2,
      windowMs: 1000,
    });
    sink.push(Buffer.from('0123456789\nb\nc\nd\n'));
    time.advance(1000);
    sink.push(Buffer.from('e\n'));
    expect(hub.entries().map((e) => [e.level, e.msg])).toEqual([
      ['info', '01234… (5 more chars)'],
      ['info', 'b'],
      ['warn', 'MCP server stderr lines suppressed (rate limit)'],
      ['info', 'e'],
    ]);
  });
});

describe('StdioSupervisor backoff', () => {
  function fakeChild(pid: number) {
    let exit!: (e: ChildExit) => void;
    const exited = new Promise<ChildExit>((r) => (exit = r));
    const child: RunningChild = {
      pid,
      link: { write: () => undefined },
      exited,
      closeStdin: () => exit({ code: 0, signal: null }),
    };
    return { child, exit };
  }

  it('doubles the delay on failures, caps it, and resets after a long enough uptime', async () => {
    const time = manualClock();
    const children: ReturnType<typeof fakeChild>[] = [];
    let attempts = 0;
    const sup = new StdioSupervisor({
      logger: silentLogger,
      clock: time.clock,
      mux: new StreamMultiplexer({ logger: silentLogger, clock: time.clock }),
      backoff: { initialMs: 100, maxMs: 300, resetAfterMs: 5000 },
      stopGraceMs: 10,
      killTree: {
        kill: (_pid, signal) => {
          if (signal === 0) throw Object.assign(new Error('no such group'), { code: 'ESRCH' });
        },
      },
      launch: async () => {
        attempts++;
        if (attempts <= 3) throw new Error(`spawn failed ${attempts}`);
        const c = fakeChild(1000 + attempts);
        children.push(c);
        return c.child;
      },
    });
    await sup.start();
    expect(sup.state).toMatchObject({ kind: 'failed', lastError: 'spawn failed 1' });
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      await tick();
      const pending = time.sleeps.find((s) => s.ms >= 100);
      if (!pending) throw new Error('no backoff sleep pending');
      delays.push(pending.ms);
      time.advance(pending.ms);
      await tick();
    }
    expect(delays).toEqual([100, 200, 300]);
    expect(sup.state.kind).toBe('ready');
    expect(sup.restarts).toBe(0);

    time.advance(6000); // stays up long enough: the next restart starts from the initial delay
    children[0]?.exit({ code: 1, signal: null });
    await tick();
    expect(sup.state).toMatchObject({ kind: 'restarting' });
    expect(time.sleeps.at(-1)?.ms).toBe(100);
    time.advance(100);
    await tick();
    expect(sup.state.kind).toBe('ready');
    expect(sup.restarts).toBe(1);

    children[1]?.exit({ code: null, signal: 'SIGKILL' }); // crashed right away: backoff grows again
    await tick();
    expect(time.sleeps.at(-1)?.ms).toBe(200);
    const stopped = sup.stop();
    await stopped;
    expect(sup.state.kind).toBe('stopped');
  });
});
