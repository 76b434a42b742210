import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_SERVER_INFO_URI, DEMO_SERVER_NAME } from '../../../../main/core/demo/create-demo-server.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const entry = path.join(root, 'main/core/demo/demo-mcp-server.ts');

let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
});

function text(result: unknown): string | undefined {
  return (result as { content: { text?: string }[] }).content[0]?.text;
}

describe('demo MCP server over stdio', () => {
  it('serves echo, add, slow_count, ask_model and server_info to a real SDK client', async () => {
    client = new Client({ name: 'demo-test', version: '1.0.0' }, { capabilities: { sampling: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, (request) => {
      const question = (request.params.messages[0]?.content as { text: string }).text;
      return {
        role: 'assistant',
        model: 'fake-model',
        content: { type: 'text', text: `answer to ${question}` },
      };
    });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', entry],
      cwd: root,
      stderr: 'pipe',
    });
    await client.connect(transport);
    expect(client.getServerVersion()?.name).toBe(DEMO_SERVER_NAME);

    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name).sort()).toEqual(['add', 'ask_model', 'echo', 'slow_count']);
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'hello' } }))).toBe('hello');
    expect(text(await client.callTool({ name: 'add', arguments: { a: 1.5, b: 2 } }))).toBe('3.5');

    const progress: number[] = [];
    const counted = await client.callTool(
      { name: 'slow_count', arguments: { steps: 4, delayMs: 1 } },
      undefined,
      {
        onprogress: (p) => progress.push(p.progress),
      },
    );
    expect(text(counted)).toBe('counted to 4');
    // The SDK client handles notifications a microtask later than responses, so it may drop the
    // last progress when it arrives in the same chunk as the result; every earlier one arrives in order.
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress).toEqual([1, 2, 3, 4].slice(0, progress.length));

    expect(text(await client.callTool({ name: 'ask_model', arguments: { question: 'life' } }))).toBe(
      'answer to life',
    );

    const info = await client.readResource({ uri: DEMO_SERVER_INFO_URI });
    const body = JSON.parse((info.contents[0] as { text: string }).text) as { name: string; pid: number };
    expect(body.name).toBe(DEMO_SERVER_NAME);
    expect(body.pid).toBe(transport.pid);
  });
});
