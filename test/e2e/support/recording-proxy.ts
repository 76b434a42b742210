/**
 * A pass-through HTTP proxy on 127.0.0.1:0 that sits between an engine and the relay's control
 * plane and records every exchange (request method, path, headers, body; response status,
 * headers, body), so a test can check the real engine's traffic against openapi.json.
 * A request the engine abandons (a long poll cut by stop) aborts the forwarded one.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

export interface Exchange {
  method: string;
  /** Path and query, as the engine sent it. */
  url: string;
  requestHeaders: IncomingMessage['headers'];
  requestBody: string;
  status: number;
  responseHeaders: Record<string, string | string[] | undefined>;
  responseBody: string;
}

export interface RecordingProxy {
  /** Base URL to give the engine as its control-plane URL. */
  readonly url: string;
  /** Completed exchanges, in completion order. */
  readonly exchanges: readonly Exchange[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'host',
  'content-length',
  'upgrade',
]);

function copyable(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) out[name] = value;
  }
  return out;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const exchanges: Exchange[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const requestBody = Buffer.concat(chunks).toString('utf8');
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const upstream = await request(`${target}${req.url ?? '/'}`, {
      method: (req.method ?? 'GET') as 'GET',
      headers: copyable(req.headers),
      body: requestBody === '' ? undefined : requestBody,
      signal: abort.signal,
    });
    const responseBody = await upstream.body.text();
    exchanges.push({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      requestHeaders: req.headers,
      requestBody,
      status: upstream.statusCode,
      responseHeaders: upstream.headers,
      responseBody,
    });
    res.writeHead(upstream.statusCode, copyable(upstream.headers));
    res.end(responseBody);
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
