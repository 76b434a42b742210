/**
 * Response POST failures through the real engine: 404 on a terminal POST is terminal and the MCP
 * call is never replayed (the stdio child sees it once); a retryable 503 replays the exact same
 * POST without calling the server again; a failed notification POST (500, or a connection cut
 * after the request was written) skips the command's later notifications but still delivers
 * its terminal response.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { apiError } from '../../../../fakes/fake-control-plane.js';
import {
  closeScenarios,
  resultText,
  sessionHeaders,
  settle,
  startScenario,
  toolCall,
  type Scenario,
} from './scenario-harness.js';
import { stdioFixture, type StdioFixture } from './stdio-fixture.js';

let fixture: StdioFixture | undefined;

afterEach(async () => {
  try {
    await closeScenarios();
  } finally {
    fixture?.cleanup();
    fixture = undefined;
  }
});

async function stdioScenario(): Promise<Scenario> {
  fixture = stdioFixture();
  return startScenario({ configChannels: [fixture.config] });
}

describe('scenarios: terminal response POSTs', () => {
  it('404 on the terminal POST is terminal: no retry, and the MCP call is not replayed', async () => {
    const s = await stdioScenario();
    const session = await s.initialize();
    const id = s.send(toolCall(1, 'echo', { text: 'only-once-404' }), { headers: sessionHeaders(session) });
    s.fake.scriptResponsesFor(
      { requestId: id, kind: 'terminal' },
      { status: 404, body: apiError('pending_request_not_found', 'No pending request') },
    );
    const record = await s.record(id);
    expect(record.outcome).toBe('gone');
    // Give a wrong replay every chance to show up: another call round trip, then a pause.
    const later = s.send(toolCall(2, 'echo', { text: 'later' }), { headers: sessionHeaders(session) });
    expect(resultText(await s.terminal(later))).toBe('later');
    await settle(300);
    const posts = s.fake.responsesFor(id);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.replyStatus).toBe(404);
    expect(fixture!.callsWithText('only-once-404')).toHaveLength(1);
    expect(s.tunnel.status().errorsByKind.response_gone).toBe(1);
  });

  it('a 503 on the terminal POST replays the exact same POST (body and request id); the server is called once', async () => {
    const s = await stdioScenario();
    const session = await s.initialize();
    const id = s.send(toolCall(3, 'echo', { text: 'retried-post' }), { headers: sessionHeaders(session) });
    s.fake.scriptResponsesFor(
      { requestId: id, kind: 'terminal' },
      { status: 503, body: apiError('service_unavailable', 'busy', 'server_error') },
    );
    const answer = await s.terminal(id);
    expect(resultText(answer)).toBe('retried-post');
    const posts = s.fake.responsesFor(id);
    expect(posts.map((p) => p.replyStatus)).toEqual([503, 200]);
    expect(posts[1]!.rawBody).toBe(posts[0]!.rawBody);
    expect(posts[1]!.headers['x-client-request-id']).toBe(posts[0]!.headers['x-client-request-id']);
    expect(posts[1]!.headers['x-tunnel-shard-token']).toBe(posts[0]!.headers['x-tunnel-shard-token']);
    expect(fixture!.callsWithText('retried-post')).toHaveLength(1);
  });
});

describe('scenarios: notification POST failures', () => {
  async function progressCall(s: Scenario) {
    const session = await s.initialize();
    return s.send(toolCall('p', 'slow_count', { steps: 4, delayMs: 20 }, 'ptok'), {
      headers: sessionHeaders(session),
    });
  }

  it('500 on the first jsonrpc_notify: later notifications skipped, terminal still delivered', async () => {
    const s = await startScenario();
    const id = await progressCall(s);
    // Scripted in the same tick as the push: before the engine can have polled the command.
    s.fake.scriptResponsesFor({ requestId: id, respType: 'jsonrpc_notify' }, { status: 500 });
    const terminal = await s.terminal(id);
    expect(resultText(terminal)).toBe('counted to 4');
    const posts = s.fake.responsesFor(id);
    expect(posts.map((p) => [(p.body as { resp_type: string }).resp_type, p.replyStatus])).toEqual([
      ['jsonrpc_notify', 500],
      ['jsonrpc_response', 200],
    ]);
    expect((await s.record(id)).notifyPostFailed).toBe(true);
    expect(s.tunnel.status().errorsByKind.notify_post_failed).toBe(1);
  });

  it('a connection cut after the notification was written is not retried (no duplicates); terminal still delivered', async () => {
    const s = await startScenario();
    const id = await progressCall(s);
    s.fake.scriptResponsesFor({ requestId: id, respType: 'jsonrpc_notify' }, { destroy: true });
    const terminal = await s.terminal(id);
    expect(resultText(terminal)).toBe('counted to 4');
    const types = s.fake.responsesFor(id).map((p) => (p.body as { resp_type: string }).resp_type);
    expect(types).toEqual(['jsonrpc_notify', 'jsonrpc_response']);
    expect((await s.record(id)).notifyPostFailed).toBe(true);
  });

  it('429 on a notification is retried, so every notification still arrives in order', async () => {
    const s = await startScenario();
    const id = await progressCall(s);
    s.fake.scriptResponsesFor(
      { requestId: id, respType: 'jsonrpc_notify' },
      { status: 429, headers: { 'retry-after': '0' } },
    );
    await s.terminal(id);
    const posts = s.fake.responsesFor(id);
    const notifies = posts.filter((p) => (p.body as { resp_type: string }).resp_type === 'jsonrpc_notify');
    expect(notifies.map((p) => p.replyStatus)).toEqual([429, 200, 200, 200, 200]);
    const progress = notifies
      .filter((p) => p.replyStatus === 200)
      .map((p) => (p.body as { resp_json: { params: { progress: number } } }).resp_json.params.progress);
    expect(progress).toEqual([1, 2, 3, 4]);
    expect((await s.record(id)).notifyPostFailed).toBe(false);
  });
});
