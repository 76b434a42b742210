/**
 * Benchmark MCP server over stdio: an `@modelcontextprotocol/sdk` McpServer with the `echo`
 * tool (echo-tool.mjs). Runs under plain node; exits when stdin closes.
 *
 *   node bench/servers/echo-stdio-server.mjs
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { registerEcho } from './echo-tool.mjs';

const server = new McpServer({ name: 'bench-echo-stdio', version: '1.0.0' });
registerEcho(server);
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
await server.connect(new StdioServerTransport());
