import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpChannel } from '../../../../../../main/core/engine/channels/http/http-channel.js';
import { silentLogger } from '../../../../../../main/core/observability/logger.js';
import { startHttpMcpServer } from '../../../../../fixtures/http-mcp-server.js';
import { call, initializeMessage } from './channel-harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A minimal HTTP CONNECT proxy on loopback that records the authorities it tunnels to. */
async function startConnectProxy(): Promise<{ url: string; connects: string[]; close: () => Promise<void> }> {
  const connects: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client: Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connects,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('HTTP channel through a proxy', () => {
  it('tunnels requests to the MCP server through proxyUrl', async () => {
    const mcp = await startHttpMcpServer();
    cleanups.push(() => mcp.close());
    const proxy = await startConnectProxy();
    cleanups.push(() => proxy.close());
    const channel = createHttpChannel({
      name: 'main',
      url: mcp.url,
      proxyUrl: proxy.url,
      logger: silentLogger,
    });
    cleanups.push(() => channel.stop());
    await channel.start();

    const { outcome } = await call(channel, initializeMessage());
    expect(outcome).toMatchObject({ kind: 'jsonrpc', status: 200, message: { id: 1 } });
    expect(proxy.connects).toEqual([`127.0.0.1:${mcp.port}`]);
    expect(mcp.count('POST')).toBe(1);
  });
});
