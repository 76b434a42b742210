import { describe, expect, it } from 'vitest';
import type { ChannelOutcome } from '../../../../../main/core/engine/channels/channel.js';
import { deferred, okOutcome, untilAborted, type Deferred } from '../fakes/fake-channel.js';
import { jsonrpcCommand } from '../fakes/fake-control-plane-client.js';
import { expectValidPayload, makeHarness, until } from './harness.js';

describe('dispatcher: capacity and concurrency', () => {
  it('hands at most maxConcurrent commands to channels at once and answers all of them', async () => {
    const h = makeHarness({ maxConcurrent: 3, maxInflight: 20 });
    const gates: Deferred<ChannelOutcome>[] = [];
    h.main.onSend = (req) => {
      const gate = deferred<ChannelOutcome>();
      gates.push(gate);
      return gate.promise.then(() => okOutcome(req.message.id));
    };
    const commands = Array.from({ length: 10 }, () => jsonrpcCommand());
    h.dispatcher.accept(commands, h.clock.now());
    await h.clock.advance(0);
    expect(h.main.active).toBe(3);
    expect(h.dispatcher.snapshot()).toMatchObject({ inflight: 10, queued: 7, running: 3, maxConcurrent: 3 });
    for (let i = 0; i < 10; i++) {
      await until(() => gates.length > i, `send #${i + 1}`, h.clock);
      gates[i]!.resolve(okOutcome());
      await h.clock.advance(0);
    }
    await until(() => h.client.posted.length === 10, 'ten answers', h.clock);
    expect(h.main.maxActive).toBe(3);
    expect(h.dispatcher.snapshot()).toMatchObject({ inflight: 0, queued: 0, running: 0 });
    for (const c of commands) expect(h.client.postsFor(c.request_id)).toHaveLength(1);
  });

  it('takes a batch larger than its free capacity and bounds capacity waiters by maxInflight', async () => {
    const h = makeHarness({ maxInflight: 4, maxConcurrent: 10 });
    const gate = deferred<void>();
    h.main.onSend = async (req) => {
      await gate.promise;
      return okOutcome(req.message.id);
    };
    expect(h.dispatcher.freeCapacity()).toBe(4);
    const commands = Array.from({ length: 7 }, () => jsonrpcCommand());
    h.dispatcher.accept(commands, h.clock.now());
    expect(h.dispatcher.freeCapacity()).toBe(-3);
    let capacity = false;
    const waiting = h.dispatcher.waitForCapacity(new AbortController().signal).then(() => (capacity = true));
    await h.clock.advance(0);
    expect(h.main.sends).toHaveLength(7);
    expect(capacity).toBe(false);
    gate.resolve();
    await waiting;
    await until(() => h.client.posted.length === 7, 'seven answers', h.clock);
    expect(h.dispatcher.freeCapacity()).toBe(4);
  });

  it('waitForCapacity rejects when its signal aborts', async () => {
    const h = makeHarness({ maxInflight: 1 });
    h.main.onSend = (req) => untilAborted(req.signal);
    h.dispatcher.accept([jsonrpcCommand()], h.clock.now());
    const abort = new AbortController();
    const waiting = h.dispatcher.waitForCapacity(abort.signal);
    abort.abort(new Error('stop waiting'));
    await expect(waiting).rejects.toThrow('stop waiting');
    await h.dispatcher.stop();
  });
});

describe('dispatcher: response_timeout', () => {
  it('drops a command whose deadline has already passed (0s): nothing sent, nothing posted', async () => {
    const h = makeHarness();
    const cmd = jsonrpcCommand({ response_timeout: '0s' });
    const late = jsonrpcCommand({ response_timeout: '5s' });
    h.dispatcher.accept([cmd], h.clock.now());
    h.dispatcher.accept([late], h.clock.now() - 5_000);
    await h.clock.advance(10);
    expect(h.main.sends).toHaveLength(0);
    expect(h.client.posted).toHaveLength(0);
    expect(h.recordFor(cmd.request_id)?.outcome).toBe('dropped');
    expect(h.recordFor(late.request_id)?.outcome).toBe('dropped');
    expect(h.dispatcher.snapshot().inflight).toBe(0);
  });

  it.each([
    ['absent', undefined],
    ['null', null],
    ['malformed', '5 seconds'],
    ['a number', 5],
  ])('fails open when response_timeout is %s: no deadline', async (_name, value) => {
    const h = makeHarness();
    const cmd = jsonrpcCommand(value === undefined ? {} : { response_timeout: value });
    h.dispatcher.accept([cmd], h.clock.now() - 60_000);
    await until(() => h.client.posted.length === 1, 'the answer', h.clock);
    expect(h.client.posted[0]!.options.deadline).toBeUndefined();
    expect(h.recordFor(cmd.request_id)?.outcome).toBe('ok');
  });

  it('passes receipt time + timeout as the deadline of every POST of the command', async () => {
    const h = makeHarness();
    h.main.onSend = async (req) => {
      req.notify({ jsonrpc: '2.0', method: 'notifications/progress', params: {} });
      return okOutcome(req.message.id);
    };
    const receivedAt = h.clock.now() - 200;
    const cmd = jsonrpcCommand({ response_timeout: '4500ms' });
    h.dispatcher.accept([cmd], receivedAt);
    await until(() => h.client.posted.length === 2, 'notify + answer', h.clock);
    for (const post of h.client.posted) {
      expect(post.options.deadline).toBe(receivedAt + 4_500);
      expect(post.options.shardToken).toBe(cmd.shard_token);
    }
    expect(h.client.posted.map((p) => p.options.kind)).toEqual(['notify', 'terminal']);
  });

  it('aborts the channel call when the deadline passes during MCP work, and posts nothing', async () => {
    const h = makeHarness();
    let seen: AbortSignal | undefined;
    h.main.onSend = (req) => {
      seen = req.signal;
      return untilAborted(req.signal);
    };
    const cmd = jsonrpcCommand({ response_timeout: '2s' });
    h.dispatcher.accept([cmd], h.clock.now());
    await h.clock.advance(1_999);
    expect(seen?.aborted).toBe(false);
    await h.clock.advance(1);
    expect(seen?.aborted).toBe(true);
    await h.clock.advance(0);
    expect(h.client.posted).toHaveLength(0);
    expect(h.recordFor(cmd.request_id)?.outcome).toBe('expired');
    expect(h.dispatcher.snapshot().inflight).toBe(0);
  });

  it('posts nothing when the channel answers after the deadline even if it ignores the abort', async () => {
    const h = makeHarness();
    const gate = deferred<ChannelOutcome>();
    h.main.onSend = () => gate.promise;
    const cmd = jsonrpcCommand({ response_timeout: '1s' });
    h.dispatcher.accept([cmd], h.clock.now());
    await h.clock.advance(1_000);
    gate.resolve(okOutcome());
    await h.clock.advance(0);
    expect(h.client.posted).toHaveLength(0);
    expect(h.recordFor(cmd.request_id)?.outcome).toBe('expired');
  });

  it('expires a command still waiting in the queue without sending it', async () => {
    const h = makeHarness({ maxConcurrent: 1 });
    h.main.onSend = (req) =>
      req.requestId === blocker.request_id ? untilAborted(req.signal) : Promise.resolve(okOutcome());
    const blocker = jsonrpcCommand();
    const queued = jsonrpcCommand({ response_timeout: '1s' });
    h.dispatcher.accept([blocker, queued], h.clock.now());
    await h.clock.advance(0);
    expect(h.dispatcher.snapshot()).toMatchObject({ inflight: 2, queued: 1, running: 1 });
    await h.clock.advance(1_000);
    expect(h.dispatcher.snapshot()).toMatchObject({ inflight: 1, queued: 0, running: 1 });
    expect(h.main.sends.map((s) => s.requestId)).toEqual([blocker.request_id]);
    expect(h.recordFor(queued.request_id)?.outcome).toBe('expired');
    expect(h.client.posted).toHaveLength(0);
    await h.dispatcher.stop();
  });

  it('aborts the response POST when the deadline passes while posting', async () => {
    const h = makeHarness();
    let postSignal: AbortSignal | undefined;
    h.client.onRespond = (_payload, options) => {
      postSignal = options.signal;
      return untilAborted(options.signal);
    };
    const cmd = jsonrpcCommand({ response_timeout: '3s' });
    h.dispatcher.accept([cmd], h.clock.now());
    await h.clock.advance(2_999);
    expect(postSignal?.aborted).toBe(false);
    await h.clock.advance(1);
    expect(postSignal?.aborted).toBe(true);
    expect(h.recordFor(cmd.request_id)?.outcome).toBe('expired');
  });
});

describe('dispatcher: MCP_CONNECTION_MAX_TTL', () => {
  it('aborts channel work at the TTL and answers 504 with source timeout', async () => {
    const h = makeHarness({ connectionMaxTtlMs: 5_000 });
    let seen: AbortSignal | undefined;
    h.main.onSend = (req) => {
      seen = req.signal;
      return untilAborted(req.signal);
    };
    const cmd = jsonrpcCommand({
      jsonrpc: { jsonrpc: '2.0', id: 'slow', method: 'tools/call', params: { name: 'x' } },
    });
    h.dispatcher.accept([cmd], h.clock.now());
    await h.clock.advance(5_000);
    expect(seen?.aborted).toBe(true);
    await until(() => h.client.posted.length === 1, 'the 504', h.clock);
    const payload = h.client.posted[0]!.payload;
    expectValidPayload(payload);
    expect(payload).toEqual({
      request_id: cmd.request_id,
      channel: 'main',
      resp_type: 'jsonrpc_response',
      resp_code: 504,
      resp_headers: { 'Content-Type': ['application/json'] },
      resp_json: {
        jsonrpc: '2.0',
        id: 'slow',
        error: {
          code: -32603,
          message: 'Gateway Timeout',
          data: {
            tunnel_failure: {
              version: 1,
              source: 'timeout',
              transport_error_kind: 'timeout',
              upstream_response_received: false,
            },
          },
        },
      },
    });
    expect(h.recordFor(cmd.request_id)).toMatchObject({
      outcome: 'failure',
      failureSource: 'timeout',
      status: 504,
    });
  });

  it('lets the response deadline win over the TTL when it comes first', async () => {
    const h = makeHarness({ connectionMaxTtlMs: 5_000 });
    h.main.onSend = (req) => untilAborted(req.signal);
    const cmd = jsonrpcCommand({ response_timeout: '5s' });
    h.dispatcher.accept([cmd], h.clock.now() - 1);
    await h.clock.advance(6_000);
    expect(h.client.posted).toHaveLength(0);
    expect(h.recordFor(cmd.request_id)?.outcome).toBe('expired');
  });
});

describe('dispatcher: notifications and ordering', () => {
  it('posts notifications in order, one at a time, before the terminal answer', async () => {
    const h = makeHarness();
    const postGates: Deferred<'ok'>[] = [];
    h.client.onRespond = (payload) => {
      if (payload.resp_type !== 'jsonrpc_notify') return Promise.resolve('ok');
      const gate = deferred<'ok'>();
      postGates.push(gate);
      return gate.promise;
    };
    h.main.onSend = async (req) => {
      for (const n of [1, 2, 3])
        req.notify({ jsonrpc: '2.0', method: 'notifications/progress', params: { n } });
      return okOutcome(req.message.id);
    };
    const cmd = jsonrpcCommand();
    h.dispatcher.accept([cmd], h.clock.now());
    for (let i = 0; i < 3; i++) {
      await until(() => postGates.length === i + 1, `notification ${i + 1}`, h.clock);
      await h.clock.advance(0);
      expect(h.client.posted).toHaveLength(i + 1); // one at a time, terminal still waiting
      postGates[i]!.resolve('ok');
    }
    await until(() => h.client.posted.length === 4, 'the terminal answer', h.clock);
    const posts = h.client.postsFor(cmd.request_id);
    expect(posts.map((p) => p.resp_type)).toEqual([
      'jsonrpc_notify',
      'jsonrpc_notify',
      'jsonrpc_notify',
      'jsonrpc_response',
    ]);
    expect(posts.slice(0, 3).map((p) => (p.resp_json as { params: { n: number } }).params.n)).toEqual([
      1, 2, 3,
    ]);
    for (const p of posts) expectValidPayload(p);
    expect(posts[0]).toEqual({
      request_id: cmd.request_id,
      channel: 'main',
      resp_json: { jsonrpc: '2.0', method: 'notifications/progress', params: { n: 1 } },
      resp_headers: {},
      resp_code: 200,
      resp_type: 'jsonrpc_notify',
    });
  });

  it('after a failed notification POST skips the rest but still delivers the terminal answer', async () => {
    const h = makeHarness();
    h.client.onRespond = async (payload) => {
      if (payload.resp_type === 'jsonrpc_notify') throw new Error('notify POST failed');
      return 'ok';
    };
    h.main.onSend = async (req) => {
      req.notify({ jsonrpc: '2.0', method: 'notifications/message', params: { n: 1 } });
      req.notify({ jsonrpc: '2.0', method: 'notifications/message', params: { n: 2 } });
      return okOutcome(req.message.id);
    };
    const cmd = jsonrpcCommand();
    h.dispatcher.accept([cmd], h.clock.now());
    await until(() => h.recordFor(cmd.request_id) !== undefined, 'the record', h.clock);
    expect(h.client.postsFor(cmd.request_id).map((p) => p.resp_type)).toEqual([
      'jsonrpc_notify',
      'jsonrpc_response',
    ]);
    expect(h.recordFor(cmd.request_id)).toMatchObject({ outcome: 'ok', notifyPostFailed: true });
  });

  it('answers out-of-order completions each with their own request and id', async () => {
    const h = makeHarness();
    const slowGate = deferred<void>();
    h.main.onSend = async (req) => {
      if (req.message.id === 'slow') await slowGate.promise;
      return okOutcome(req.message.id);
    };
    const slow = jsonrpcCommand({ jsonrpc: { jsonrpc: '2.0', id: 'slow', method: 'tools/list' } });
    const fast = jsonrpcCommand({ jsonrpc: { jsonrpc: '2.0', id: 'fast', method: 'tools/list' } });
    h.dispatcher.accept([slow, fast], h.clock.now());
    await until(() => h.client.posted.length === 1, 'the fast answer', h.clock);
    expect(h.client.posted[0]!.payload).toMatchObject({
      request_id: fast.request_id,
      resp_json: { id: 'fast' },
    });
    slowGate.resolve();
    await until(() => h.client.posted.length === 2, 'the slow answer', h.clock);
    expect(h.client.posted[1]!.payload).toMatchObject({
      request_id: slow.request_id,
      resp_json: { id: 'slow' },
    });
    expect(h.client.posted[1]!.options.shardToken).toBe(slow.shard_token);
  });
});

describe('dispatcher: stop', () => {
  it('aborts in-flight and queued commands, posts nothing for them and settles', async () => {
    const h = makeHarness({ maxConcurrent: 1 });
    const signals: AbortSignal[] = [];
    h.main.onSend = (req) => {
      signals.push(req.signal);
      return untilAborted(req.signal);
    };
    const a = jsonrpcCommand();
    const b = jsonrpcCommand();
    h.dispatcher.accept([a, b], h.clock.now());
    await h.clock.advance(0);
    await h.dispatcher.stop();
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(true);
    expect(h.client.posted).toHaveLength(0);
    expect(h.records.map((r) => r.outcome).sort()).toEqual(['cancelled', 'cancelled']);
    expect(h.dispatcher.snapshot()).toMatchObject({ inflight: 0, queued: 0, running: 0 });
    expect(h.clock.pendingTimers).toBe(0);
    h.dispatcher.accept([jsonrpcCommand()], h.clock.now());
    await h.clock.advance(0);
    expect(h.main.sends).toHaveLength(1);
    expect(h.dispatcher.freeCapacity()).toBe(20);
  });
});
