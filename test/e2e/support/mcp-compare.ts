/**
 * Helpers to compare what an MCP client sees through the tunnel with what it sees directly:
 * the outcome of a call (result or error, normalized to plain data) and direct stdio clients.
 */
import { Client, type ClientOptions } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** What a call produced, as plain data: equal outcomes mean the client saw the same thing. */
export type Outcome =
  | { kind: 'result'; value: unknown }
  | { kind: 'mcp_error'; code: number; message: string; data: unknown }
  | { kind: 'http_error'; status: number | undefined }
  | { kind: 'other_error'; message: string };

export async function outcomeOf(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { kind: 'result', value: await run() };
  } catch (error) {
    if (error instanceof McpError)
      return { kind: 'mcp_error', code: error.code, message: error.message, data: error.data };
    if (error instanceof StreamableHTTPError) return { kind: 'http_error', status: error.code };
    return { kind: 'other_error', message: (error as Error).message };
  }
}

/** A direct SDK client to a stdio server (no tunnel), closed by the returned `close`. */
export async function directStdioClient(
  argv: readonly string[],
  env: Record<string, string>,
  options: ClientOptions = {},
  setup?: (client: Client) => void,
): Promise<Client> {
  const [command, ...args] = argv;
  if (!command) throw new Error('empty argv');
  const client = new Client({ name: 'e2e-direct', version: '1.0.0' }, options);
  setup?.(client);
  await client.connect(new StdioClientTransport({ command, args, env, stderr: 'ignore' }));
  return client;
}

/** A direct SDK client to a Streamable HTTP server (no tunnel). */
export async function directHttpClient(url: string, options: ClientOptions = {}): Promise<Client> {
  const client = new Client({ name: 'e2e-direct', version: '1.0.0' }, options);
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}
