import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { guardAsync } from '../../../../main/core/relay/http-io.js';
import { LogHub } from '../../../../main/core/observability/logger.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('guardAsync', () => {
  it('answers 500 and logs when an async handler rejects before answering', async () => {
    const hub = new LogHub();
    const url = await serve((_req, res) => guardAsync(hub.logger(), res, Promise.reject(new Error('boom'))));
    const res = await request(url);
    expect(res.statusCode).toBe(500);
    expect(await res.body.json()).toMatchObject({ error: { message: 'Internal relay error.' } });
    expect(hub.entries().map((e) => e.msg)).toContain('relay request failed');
  });

  it('closes the connection when the answer had already started', async () => {
    const hub = new LogHub();
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(': started\n\n');
      guardAsync(hub.logger(), res, Promise.reject(new Error('late')));
    });
    const res = await request(url);
    await expect(res.body.text()).rejects.toThrow();
  });
});
