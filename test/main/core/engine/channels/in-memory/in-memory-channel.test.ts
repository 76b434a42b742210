import { afterEach, describe, expect, it } from 'vitest';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Channel } from '../../../../../../main/core/engine/channels/channel.js';
import { createInMemoryChannel } from '../../../../../../main/core/engine/channels/in-memory.js';
import { createDemoServer } from '../../../../../../main/core/demo/create-demo-server.js';
import type { JsonObject } from '../../../../../../main/core/engine/protocol/wire.js';
import { silentLogger } from '../../../../../../main/core/observability/logger.js';
import { openSession, resultText, rpc, toolCall } from '../stream/channel-test-kit.js';

const channels: Channel[] = [];
afterEach(async () => {
  await Promise.all(channels.splice(0).map((c) => c.stop()));
});

async function demoChannel(): Promise<Channel> {
  const ch = createInMemoryChannel({ name: 'demo', createServer: createDemoServer, logger: silentLogger });
  channels.push(ch);
  await ch.start();
  return ch;
}

describe('in-memory channel', () => {
  it('lists and calls the demo server tools', async () => {
    const ch = await demoChannel();
    expect(ch.procAffinity).toBe(true);
    expect(ch.transport).toBe('in-memory');
    const session = await openSession(ch, 1);
    const list = await rpc(ch, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { session });
    expect(list.kind).toBe('jsonrpc');
    if (list.kind !== 'jsonrpc') return;
    expect(list.message.id).toBe(2);
    const names = (list.message.result as { tools: { name: string }[] }).tools.map((t) => t.name);
    expect(names.sort()).toEqual(['add', 'ask_model', 'echo', 'slow_count']);
    expect(resultText(await rpc(ch, toolCall(3, 'add', { a: 2, b: 40 }), { session }))).toBe('42');
    expect(resultText(await rpc(ch, toolCall('e', 'echo', { text: 'hi' }), { session }))).toBe('hi');
    expect(ch.snapshot()).toMatchObject({ state: 'ready', sessions: 1, inFlight: 0, restarts: 0 });
  });

  it('routes progress and a sampling round trip through the shared stream logic', async () => {
    const ch = await demoChannel();
    const session = await openSession(ch, 1);
    const notes: JsonObject[] = [];
    const counted = await rpc(
      ch,
      toolCall(5, 'slow_count', { steps: 3, delayMs: 0 }, { progressToken: 'tok' }),
      {
        session,
        notes,
      },
    );
    expect(resultText(counted)).toBe('counted to 3');
    expect(notes.map((n) => (n.params as JsonObject).progressToken)).toEqual(['tok', 'tok', 'tok']);

    const asked = await rpc(ch, toolCall(6, 'ask_model', { question: 'why?' }), {
      session,
      onNotify: (m) => {
        void rpc(
          ch,
          {
            jsonrpc: '2.0',
            id: m.id,
            result: { role: 'assistant', model: 'm', content: { type: 'text', text: 'because' } },
          },
          { session },
        );
      },
    });
    expect(resultText(asked)).toBe('because');
  });

  it('answers a server request with an error when no call is in flight to carry it', async () => {
    let server: McpServer | undefined;
    const ch = createInMemoryChannel({
      name: 'x',
      createServer: () => (server = new McpServer({ name: 'bare', version: '1' })),
      logger: silentLogger,
    });
    channels.push(ch);
    await ch.start();
    await openSession(ch, 1);
    await expect(server?.server.listRoots()).rejects.toThrow(/No client request is in flight/);
  });

  it('fails new work once stopped', async () => {
    const ch = await demoChannel();
    await ch.stop();
    const outcome = await rpc(ch, toolCall(1, 'echo', { text: 'x' }));
    expect(outcome.kind === 'failure' && outcome.failure.source).toBe('transport_closed');
    expect(ch.snapshot().state).toBe('stopped');
  });
});
