/// <reference types="node" />
/**
 * The HTTP bridge against a real loopback server that speaks the daemon's admin protocol:
 * POST /api/<method> with a bearer token, and GET /api/events as SSE.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LiveState } from '../../../renderer/bridge/bridge.js';
import { BridgeError } from '../../../renderer/bridge/bridge.js';
import { createHttpBridge } from '../../../renderer/bridge/http-bridge.js';
import { tunnel } from '../fake-bridge.js';

const TOKEN = 'admin-token-for-test';
let server: Server;
let baseUrl: string;
let streams: ServerResponse[];
let calls: Array<{ path: string; auth: string | undefined; body: string }>;

beforeEach(async () => {
  streams = [];
  calls = [];
  server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          ok: false,
          error: { code: 'unauthorized', message: 'Missing or wrong admin token.' },
        }),
      );
      return;
    }
    if (req.url === '/api/events') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(': connected\n\n');
      streams.push(res);
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls.push({ path: req.url ?? '', auth: req.headers.authorization, body });
      res.writeHead(req.url === '/api/tunnels.stop' ? 404 : 200, { 'Content-Type': 'application/json' });
      res.end(
        req.url === '/api/tunnels.stop'
          ? JSON.stringify({ ok: false, error: { code: 'not_found', message: "No tunnel named 'x'." } })
          : JSON.stringify({ ok: true, result: { version: '0.1.0', rev: 4, tunnels: [] } }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const s of streams) s.end();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('createHttpBridge', () => {
  it('calls POST /api/<method> with the bearer token and JSON params', async () => {
    const bridge = createHttpBridge({ baseUrl, token: TOKEN });
    const snap = await bridge.call('status.get', {});
    expect(snap.rev).toBe(4);
    expect(calls[0]).toEqual({ path: '/api/status.get', auth: `Bearer ${TOKEN}`, body: '{}' });
  });

  it('turns an error answer into a BridgeError with the contract code and message', async () => {
    const bridge = createHttpBridge({ baseUrl, token: TOKEN });
    const err = await bridge.call('tunnels.stop', { id: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect(err).toMatchObject({ code: 'not_found', message: "No tunnel named 'x'." });
  });

  it('says what to do when the daemon is gone', async () => {
    const bridge = createHttpBridge({ baseUrl: 'http://127.0.0.1:1', token: TOKEN });
    await expect(bridge.call('status.get', {})).rejects.toMatchObject({
      code: 'unavailable',
      message: /mcp-tunnel run/,
    });
  });

  it('delivers SSE events to listeners, reconnects after a drop, and closes with the last listener', async () => {
    const bridge = createHttpBridge({ baseUrl, token: TOKEN, retryMinMs: 10, retryMaxMs: 20 });
    const states: LiveState[] = [];
    bridge.onLiveState!((s) => states.push(s));
    const got: number[] = [];
    const off = bridge.on('status.tunnel', (e) => got.push(e.rev));
    await until(() => streams.length === 1, 'the event stream');
    const t = tunnel();
    // Split one event across two writes, as TCP may.
    const text = `event: status.tunnel\ndata: ${JSON.stringify({ rev: 5, tunnel: t })}\n\n`;
    streams[0]!.write(text.slice(0, 20));
    streams[0]!.write(`${text.slice(20)}event: logs.entry\ndata: {"seq":1}\n\n`);
    await until(() => got.length === 1, 'the first event');
    expect(got).toEqual([5]);

    streams[0]!.destroy();
    await until(() => streams.length === 2, 'the reconnect');
    await until(() => states.filter((s) => s === 'live').length === 2, 'live again');
    expect(states).toContain('reconnecting');
    streams[1]!.write(`event: status.tunnel\ndata: ${JSON.stringify({ rev: 6, tunnel: t })}\n\n`);
    await until(() => got.length === 2, 'an event after the reconnect');

    off();
    await until(
      () => streams[1]!.destroyed || streams[1]!.writableEnded || streams[1]!.closed,
      'the stream to close',
    );
  });

  it('stops reconnecting and reports unauthorized when the token is rejected', async () => {
    const bridge = createHttpBridge({ baseUrl, token: 'wrong', retryMinMs: 10 });
    const states: LiveState[] = [];
    bridge.onLiveState!((s) => states.push(s));
    bridge.on('logs.entry', () => undefined);
    await until(() => states.includes('unauthorized'), 'unauthorized');
  });
});
