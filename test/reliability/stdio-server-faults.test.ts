/**
 * A misbehaving stdio MCP server behind the real engine and relay: killed mid-call, hanging
 * (a tool that never answers, and a child frozen with SIGSTOP), garbage on stdout, and lines
 * over the size limit. Every call gets one acceptable outcome, the channel restarts or carries
 * on by itself, and no child outlives the engine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Outcome } from './call-ledger.js';
import { stdioChannel } from './fault-channels.js';
import { uniquePayload } from './mcp-caller.js';
import { closeRigs, startRig, type Rig } from './reliability-rig.js';

afterEach(closeRigs);

const DEADLINE_MS = 2_000;

async function rigWith(maxLineBytes?: number): Promise<Rig> {
  const rig = await startRig({
    proxy: false,
    responseTimeoutMs: DEADLINE_MS,
    channels: (log, canary) => [
      stdioChannel('main', log, { canary, ...(maxLineBytes ? { maxLineBytes } : {}) }),
    ],
  });
  await rig.recovered();
  return rig;
}

function tool(rig: Rig, name: string, args: Record<string, unknown>, expectText?: string): Promise<Outcome> {
  const message = {
    jsonrpc: '2.0',
    id: uniquePayload('id'),
    method: 'tools/call',
    params: { name, arguments: args },
  };
  return rig.caller.call(message, {
    label: `${name} ${JSON.stringify(args).slice(0, 40)}`,
    ...(expectText ? { expectText } : {}),
  });
}

function childPid(rig: Rig): number {
  const pid = rig.channels[0]!.snapshot().pid;
  if (pid === undefined) throw new Error('the stdio channel has no running child');
  return pid;
}

describe('reliability: stdio MCP server faults', () => {
  it('child killed mid-call: each call gets a well-formed JSON-RPC error, the child restarts, calls flow again', async () => {
    const rig = await rigWith();
    const session = await rig.caller.initialize();
    const before = childPid(rig);
    const calls = Array.from({ length: 5 }, () => {
      const text = uniquePayload('slow');
      return rig.caller.call(
        {
          jsonrpc: '2.0',
          id: uniquePayload('id'),
          method: 'tools/call',
          params: { name: 'echo', arguments: { text, delayMs: 1_500 } },
        },
        { sessionId: session, expectText: text, label: `slow ${text}` },
      );
    });
    await new Promise((r) => setTimeout(r, 300));
    process.kill(before, 'SIGKILL');
    const outcomes = await Promise.all(calls);
    for (const o of outcomes) expect(o).toMatchObject({ kind: 'rpc_error', code: -32603, status: 502 });
    await rig.recovered();
    expect(childPid(rig)).not.toBe(before);
    // The session survives the restart (the handshake was replayed).
    expect((await rig.caller.echo(undefined, { sessionId: session })).kind).toBe('result');
    expect(await rig.finish()).toEqual([]);
  });

  it('hanging server (a call that never returns, then a frozen child): timeouts only at the deadline, then recovery', async () => {
    const rig = await rigWith();
    expect((await tool(rig, 'wait_forever', {})).kind).toBe('timeout');
    const pid = childPid(rig);
    process.kill(pid, 'SIGSTOP');
    try {
      const frozen = await Promise.all([rig.caller.echo(), rig.caller.echo()]);
      for (const o of frozen) expect(o.kind).toBe('timeout');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await rig.recovered();
    expect(await rig.finish()).toEqual([]);
  });

  it('garbage and oversized lines on stdout: ignored with a warning, the call still gets its answer', async () => {
    const rig = await rigWith(64 * 1024);
    expect(await tool(rig, 'garbage', { bytes: 1_000 }, 'after garbage')).toMatchObject({ kind: 'result' });
    expect(await tool(rig, 'garbage', { bytes: 200_000 }, 'after garbage')).toMatchObject({ kind: 'result' });
    const warnings = rig.hub
      .entries()
      .filter((e) => e.level === 'warn')
      .map((e) => e.msg);
    expect(warnings.some((m) => m.includes('non-JSON line'))).toBe(true);
    expect(warnings.some((m) => m.includes('over the size limit'))).toBe(true);
    await rig.recovered();
    expect(await rig.finish()).toEqual([]);
  });

  it('an answer larger than the line limit is dropped: that call fails at once with -32603, the next ones succeed', async () => {
    const rig = await rigWith(64 * 1024);
    const huge = 'h'.repeat(100_000);
    const outcome = await rig.caller.echo(huge, { label: 'huge echo' });
    expect(outcome).toMatchObject({ kind: 'rpc_error', code: -32603 });
    const after = await Promise.all([rig.caller.echo(), rig.caller.echo()]);
    for (const o of after) expect(o.kind).toBe('result');
    expect(await rig.finish()).toEqual([]);
  });
});
