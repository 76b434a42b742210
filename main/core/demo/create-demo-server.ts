/**
 * The demo MCP server that ships with the app (`mcp-tunnel-demo`): a handful of tools that
 * exercise every path of the tunnel (plain results, progress notifications, a server→client
 * sampling request) and one resource. Used over stdio by the app's demo mode
 * (demo-mcp-server.ts) and in-process by tests and the in-memory channel.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

export const DEMO_SERVER_NAME = 'mcp-tunnel-demo';
export const DEMO_SERVER_VERSION = '1.0.0';
export const DEMO_SERVER_INFO_URI = 'demo://server-info';

const MAX_STEPS = 100;

interface SampledBlock {
  type?: string;
  text?: unknown;
}
const MAX_DELAY_MS = 10_000;

export function createDemoServer(): McpServer {
  const server = new McpServer(
    { name: DEMO_SERVER_NAME, version: DEMO_SERVER_VERSION },
    { instructions: 'Demo server of MCP Tunnel: echo, add, slow_count (progress) and ask_model (sampling).' },
  );

  server.registerTool(
    'echo',
    { description: 'Returns the text it was given.', inputSchema: { text: z.string() } },
    ({ text }) => ({ content: [{ type: 'text', text }] }),
  );

  server.registerTool(
    'add',
    { description: 'Adds two numbers.', inputSchema: { a: z.number(), b: z.number() } },
    ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
  );

  server.registerTool(
    'slow_count',
    {
      description:
        'Counts to `steps`, waiting `delayMs` between steps and sending a progress notification for each.',
      inputSchema: {
        steps: z.number().int().min(1).max(MAX_STEPS),
        delayMs: z.number().int().min(0).max(MAX_DELAY_MS).default(100),
      },
    },
    async ({ steps, delayMs }, extra) => {
      const progressToken = extra._meta?.progressToken;
      for (let step = 1; step <= steps; step++) {
        await sleep(delayMs, extra.signal);
        if (progressToken !== undefined) {
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken, progress: step, total: steps, message: `step ${step} of ${steps}` },
          });
        }
      }
      return { content: [{ type: 'text', text: `counted to ${steps}` }] };
    },
  );

  server.registerTool(
    'ask_model',
    {
      description:
        "Asks the connected client's model a question (sampling/createMessage) and returns its answer.",
      inputSchema: { question: z.string(), maxTokens: z.number().int().min(1).max(4096).default(200) },
    },
    async ({ question, maxTokens }, extra) => {
      const answer = await server.server.createMessage(
        { messages: [{ role: 'user', content: { type: 'text', text: question } }], maxTokens },
        { relatedRequestId: extra.requestId, signal: extra.signal },
      );
      const blocks: unknown = answer.content;
      const content = (Array.isArray(blocks) ? (blocks as unknown[])[0] : blocks) as SampledBlock | undefined;
      const text =
        content?.type === 'text' && typeof content.text === 'string'
          ? content.text
          : `(${content?.type ?? 'empty'} answer)`;
      return { content: [{ type: 'text', text }] };
    },
  );

  server.registerResource(
    'server_info',
    DEMO_SERVER_INFO_URI,
    { description: 'What this demo server is and where it runs.', mimeType: 'application/json' },
    (uri) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'application/json',
          text: JSON.stringify({
            name: DEMO_SERVER_NAME,
            version: DEMO_SERVER_VERSION,
            node: process.version,
            platform: process.platform,
            pid: process.pid,
          }),
        },
      ],
    }),
  );

  return server;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error('cancelled'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('cancelled'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
