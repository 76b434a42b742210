/**
 * Benchmark MCP server over Streamable HTTP: the SDK's canonical stateful setup (one McpServer
 * and one StreamableHTTPServerTransport per session, session ids from randomUUID, SSE answers,
 * the SDK default) on node:http, bound to 127.0.0.1.
 *
 *   node bench/servers/echo-http-server.mjs [PORT]     (default 0: any free port)
 *
 * Prints `listening http://127.0.0.1:<port>/mcp` on stdout once ready; SIGTERM/SIGINT stop it.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { registerEcho } from './echo-tool.mjs';

const sessions = new Map();

function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function handle(req, res) {
  if ((req.url ?? '').split('?')[0] !== '/mcp') return reply(res, 404, '{"error":"not found"}');
  const body = req.method === 'POST' ? await readJson(req) : undefined;
  const sid = req.headers['mcp-session-id'];
  if (typeof sid === 'string') {
    const transport = sessions.get(sid);
    if (!transport)
      return reply(
        res,
        404,
        '{"jsonrpc":"2.0","error":{"code":-32001,"message":"Session not found"},"id":null}',
      );
    return transport.handleRequest(req, res, body);
  }
  if (req.method === 'POST' && isInitializeRequest(body)) {
    const server = new McpServer({ name: 'bench-echo-http', version: '1.0.0' });
    registerEcho(server);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, transport),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    return transport.handleRequest(req, res, body);
  }
  reply(
    res,
    400,
    '{"jsonrpc":"2.0","error":{"code":-32000,"message":"Bad Request: No valid session ID provided"},"id":null}',
  );
}

const http = createServer((req, res) => {
  handle(req, res).catch(() => {
    if (!res.headersSent) reply(res, 500, '{"error":"internal"}');
    else res.destroy();
  });
});
http.keepAliveTimeout = 75_000;
const port = Number(process.argv[2] ?? 0);
http.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening http://127.0.0.1:${http.address().port}/mcp\n`);
});
const stop = () => {
  http.closeAllConnections();
  http.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
