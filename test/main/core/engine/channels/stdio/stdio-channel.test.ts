import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Channel, ChannelOutcome } from '../../../../../../main/core/engine/channels/channel.js';
import {
  createStdioChannel,
  type StdioChannelOptions,
} from '../../../../../../main/core/engine/channels/stdio/stdio-channel.js';
import type { JsonObject } from '../../../../../../main/core/engine/protocol/wire.js';
import { LogHub } from '../../../../../../main/core/observability/logger.js';
import {
  isAlive,
  openSession,
  readEvents,
  resultText,
  rpc,
  toolCall,
  waitFor,
} from '../stream/channel-test-kit.js';

const fixtures = fileURLToPath(new URL('../../../../../fixtures/', import.meta.url));
const SERVER = path.join(fixtures, 'stdio-test-server.mjs');
const WRAPPER = path.join(fixtures, 'stdio-wrapper.mjs');

let dir: string;
let logFile: string;
let hub: LogHub;
const channels: Channel[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'stdio-channel-'));
  logFile = path.join(dir, 'events.jsonl');
  hub = new LogHub({ level: 'debug', capacity: 10_000 });
});

afterEach(async () => {
  await Promise.all(channels.splice(0).map((c) => c.stop()));
  rmSync(dir, { recursive: true, force: true });
});

function channel(overrides: Partial<StdioChannelOptions> = {}): Channel {
  const ch = createStdioChannel({
    name: 'main',
    argv: [process.execPath, SERVER],
    env: { FIXTURE_LOG: logFile },
    logger: hub.logger('test'),
    restartBackoff: { initialMs: 50 },
    stopGraceMs: 300,
    ...overrides,
  });
  channels.push(ch);
  return ch;
}

function failureOf(outcome: ChannelOutcome) {
  if (outcome.kind !== 'failure') throw new Error(`expected failure, got ${JSON.stringify(outcome)}`);
  return outcome.failure;
}

function childPid(): number {
  const start = readEvents(logFile).filter((e) => e.event === 'start');
  const pid = start[start.length - 1]?.pid;
  if (!pid) throw new Error('the fixture never logged its start');
  return pid;
}

describe('stdio channel', () => {
  it('answers 50 concurrent calls over one child with the callers own ids, even colliding ones', async () => {
    const ch = channel();
    await ch.start();
    const a = await openSession(ch, 0);
    const b = await openSession(ch, 0);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    const calls: Promise<[string, string | number, ChannelOutcome]>[] = [];
    for (let i = 1; i <= 25; i++) {
      for (const [session, label] of [
        [a, 'A'],
        [b, 'B'],
      ] as const) {
        const id = i === 25 && label === 'B' ? 'string-id' : i;
        const message = toolCall(id, 'echo', { text: `${label}-${i}`, delayMs: (i * 7) % 20 });
        calls.push(rpc(ch, message, { session }).then((o) => [`${label}-${i}`, id, o]));
      }
    }
    expect(ch.snapshot().inFlight).toBe(50);
    const results = await Promise.all(calls);
    expect(results).toHaveLength(50);
    for (const [text, id, outcome] of results) {
      expect(outcome.kind).toBe('jsonrpc');
      if (outcome.kind !== 'jsonrpc') continue;
      expect(outcome.status).toBe(200);
      expect(outcome.headers['Content-Type']).toEqual(['application/json']);
      expect(outcome.message.id).toBe(id);
      expect(resultText(outcome)).toBe(text);
    }
    // The child saw unique internal ids, never the colliding caller ids.
    const seen = readEvents(logFile)
      .filter((e) => e.method === 'tools/call')
      .map((e) => e.id);
    expect(new Set(seen).size).toBe(50);
    expect(ch.snapshot()).toMatchObject({ state: 'ready', inFlight: 0, sessions: 2, restarts: 0 });
  });

  it('routes progress notifications to the right call with the callers own token', async () => {
    const ch = channel();
    await ch.start();
    const session = await openSession(ch);
    const notesA: JsonObject[] = [];
    const notesB: JsonObject[] = [];
    const [ra, rb] = await Promise.all([
      rpc(ch, toolCall(1, 'progress', { steps: 3 }, { progressToken: 1 }), { session, notes: notesA }),
      rpc(ch, toolCall(2, 'progress', { steps: 5 }, { progressToken: 1 }), { session, notes: notesB }),
    ]);
    expect(resultText(ra)).toBe('done 3');
    expect(resultText(rb)).toBe('done 5');
    expect(notesA.map((n) => n.params)).toEqual(
      [1, 2, 3].map((p) => ({ progressToken: 1, progress: p, total: 3 })),
    );
    expect(notesB.map((n) => n.params)).toEqual(
      [1, 2, 3, 4, 5].map((p) => ({ progressToken: 1, progress: p, total: 5 })),
    );
    const tokens = readEvents(logFile)
      .filter((e) => e.method === 'tools/call')
      .map((e) => (e.params?._meta as { progressToken?: unknown }).progressToken);
    expect(new Set(tokens).size).toBe(2);
  });

  it('carries a sampling request to the caller and its answer back to the tool', async () => {
    const ch = channel();
    await ch.start();
    const session = await openSession(ch);
    const result = rpc(ch, toolCall('s1', 'sample', { question: 'capital of France?' }), {
      session,
      onNotify: (message) => {
        expect(message.method).toBe('sampling/createMessage');
        const answer = {
          jsonrpc: '2.0',
          id: message.id,
          result: { role: 'assistant', model: 'test-model', content: { type: 'text', text: 'Paris' } },
        };
        void rpc(ch, answer, { session }).then((ack) =>
          expect(ack).toEqual({ kind: 'ack', status: 202, headers: {} }),
        );
      },
    });
    const outcome = await result;
    expect(outcome.kind === 'jsonrpc' && outcome.message.id).toBe('s1');
    expect(resultText(outcome)).toBe('model said: Paris');
  });

  it('fails in-flight calls when the child dies, restarts it and replays the handshake first', async () => {
    const ch = channel();
    await ch.start();
    const session = await openSession(ch, 'init-1');
    const firstPid = childPid();
    expect(ch.snapshot().pid).toBe(firstPid);
    const pending = rpc(ch, toolCall(7, 'wait_forever', {}), { session });
    await waitFor(
      () => readEvents(logFile).some((e) => e.method === 'tools/call'),
      'the call to reach the child',
    );
    process.kill(firstPid, 'SIGKILL');
    expect(failureOf(await pending)).toEqual({
      version: 1,
      source: 'transport_closed',
      transport_error_kind: 'eof',
      upstream_response_received: false,
    });
    // Sent right away: waits for the restart instead of failing.
    const after = await rpc(ch, toolCall(8, 'echo', { text: 'still here' }), { session });
    expect(after.kind === 'jsonrpc' && after.message.id).toBe(8);
    expect(resultText(after)).toBe('still here');
    expect(ch.snapshot()).toMatchObject({ state: 'ready', restarts: 1 });
    expect(ch.snapshot().pid).not.toBe(firstPid);

    const events = readEvents(logFile);
    const restartAt = events.findIndex((e) => e.event === 'start' && e.pid !== firstPid);
    const second = events.slice(restartAt);
    const methods = second.filter((e) => e.event === 'in').map((e) => e.method);
    expect(methods.slice(0, 3)).toEqual(['initialize', 'notifications/initialized', 'tools/call']);
    expect(events.filter((e) => e.method === 'initialize')).toHaveLength(2);
  });

  it('answers 404 -32001 for a session it never minted, and 405 to session termination', async () => {
    const ch = channel();
    await ch.start();
    const outcome = await rpc(ch, toolCall(3, 'echo', { text: 'x' }), { session: 'not-a-session-of-ours' });
    expect(outcome).toEqual({
      kind: 'jsonrpc',
      status: 404,
      headers: { 'Content-Type': ['application/json'] },
      message: { jsonrpc: '2.0', id: 3, error: { code: -32001, message: 'Session not found' } },
    });
    const stateless = await rpc(ch, toolCall(4, 'echo', { text: 'no session' }));
    expect(resultText(stateless)).toBe('no session');
    const terminated = await ch.terminateSession({
      requestId: 'r',
      headers: { 'mcp-session-id': ['x'] },
      signal: new AbortController().signal,
    });
    expect(terminated).toEqual({ kind: 'session_terminated', status: 405, headers: { Allow: ['POST'] } });
  });

  it('reports a missing command clearly and fails calls fast instead of hanging', async () => {
    const ch = channel({ argv: ['definitely-not-an-mcp-server-xyz', '--flag'] });
    await ch.start();
    const snap = ch.snapshot();
    expect(snap.state).toBe('failed');
    expect(snap.lastError).toBe(
      "MCP server command not found: 'definitely-not-an-mcp-server-xyz'. Check MCP_COMMAND / mcp.commands[].command, or use an absolute path.",
    );
    const outcome = await rpc(ch, toolCall(1, 'echo', { text: 'x' }));
    expect(failureOf(outcome).source).toBe('connect');
  });

  it('finds the command on PATH and never shows env values', async () => {
    const canary = 'canary-secret-4f1d9a';
    const ch = channel({
      argv: ['node', SERVER],
      env: { FIXTURE_LOG: logFile, API_TOKEN: canary, PATH: path.dirname(process.execPath) },
    });
    await ch.start();
    const session = await openSession(ch);
    expect(resultText(await rpc(ch, toolCall(1, 'echo', { text: 'via PATH' }), { session }))).toBe(
      'via PATH',
    );
    const snap = ch.snapshot();
    expect(snap.target).toBe(`node ${SERVER}`);
    expect(JSON.stringify(snap)).not.toContain(canary);
    expect(JSON.stringify(hub.entries())).not.toContain(canary);
  });

  it('survives garbage and oversized stdout lines without restarting the child', async () => {
    const ch = channel({ maxLineBytes: 64 * 1024 });
    await ch.start();
    const session = await openSession(ch);
    const pid = childPid();
    const outcome = await rpc(ch, toolCall(1, 'garbage', { bytes: 200_000 }), { session });
    expect(resultText(outcome)).toBe('after garbage');
    expect(resultText(await rpc(ch, toolCall(2, 'echo', { text: 'fine' }), { session }))).toBe('fine');
    expect(ch.snapshot()).toMatchObject({ pid, restarts: 0, state: 'ready' });
    const warnings = hub
      .entries()
      .filter((e) => e.level === 'warn')
      .map((e) => e.msg);
    expect(warnings.some((m) => m.includes('non-JSON line'))).toBe(true);
    expect(warnings.some((m) => m.includes('over the size limit'))).toBe(true);
  });

  it('fails a call at once, without a restart, when its answer is over the line limit', async () => {
    const ch = channel({ maxLineBytes: 64 * 1024 });
    await ch.start();
    const session = await openSession(ch);
    const pid = childPid();
    // The SDK writes {"result":…,"jsonrpc":"2.0","id":N}: the id is only in the line's last bytes.
    const big = await rpc(ch, toolCall(1, 'echo', { text: 'x'.repeat(100_000) }), { session });
    expect(failureOf(big)).toMatchObject({
      source: 'protocol',
      transport_error_kind: 'response_body_too_large',
      upstream_response_received: true,
    });
    expect(resultText(await rpc(ch, toolCall(2, 'echo', { text: 'fine' }), { session }))).toBe('fine');
    expect(ch.snapshot()).toMatchObject({ pid, restarts: 0, state: 'ready', inFlight: 0 });
    expect(hub.entries().some((e) => e.level === 'warn' && e.msg.includes('have the tool return less'))).toBe(
      true,
    );
  });

  it('sends notifications/cancelled for the internal id when the caller aborts', async () => {
    const ch = channel();
    await ch.start();
    const session = await openSession(ch);
    const controller = new AbortController();
    const pending = rpc(ch, toolCall(1, 'wait_forever', {}), { session, signal: controller.signal });
    await waitFor(
      () => readEvents(logFile).some((e) => e.method === 'tools/call'),
      'the call to reach the child',
    );
    const internalId = readEvents(logFile).find((e) => e.method === 'tools/call')?.id;
    controller.abort();
    expect(failureOf(await pending).source).toBe('timeout');
    await waitFor(
      () =>
        readEvents(logFile).some(
          (e) => e.method === 'notifications/cancelled' && e.params?.requestId === internalId,
        ),
      'notifications/cancelled for the internal id',
    );
    expect(ch.snapshot().inFlight).toBe(0);
  });

  it('stop() ends the whole tree, even a grandchild that ignores SIGTERM and stdin EOF', async () => {
    const ch = channel({
      argv: [process.execPath, WRAPPER],
      env: { FIXTURE_LOG: logFile, FIXTURE_STUBBORN: '1' },
    });
    await ch.start();
    const session = await openSession(ch);
    expect(resultText(await rpc(ch, toolCall(1, 'echo', { text: 'up' }), { session }))).toBe('up');
    const wrapper = readEvents(logFile).find((e) => e.event === 'wrapper');
    const grandchild = readEvents(logFile).find((e) => e.event === 'start')?.pid;
    if (!wrapper?.pid || !grandchild) throw new Error('fixture pids missing');
    expect(wrapper.child).toBe(grandchild);
    expect(isAlive(wrapper.pid) && isAlive(grandchild)).toBe(true);
    await ch.stop();
    expect(ch.snapshot().state).toBe('stopped');
    await waitFor(
      () => !isAlive(wrapper.pid as number) && !isAlive(grandchild),
      'wrapper and grandchild to be gone',
      5000,
    );
    expect(readEvents(logFile).some((e) => e.event === 'sigterm-ignored')).toBe(true);
    const after = await rpc(ch, toolCall(2, 'echo', { text: 'x' }));
    expect(failureOf(after).source).toBe('transport_closed');
  });
});
