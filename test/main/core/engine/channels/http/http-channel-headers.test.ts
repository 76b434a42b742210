import { afterEach, describe, expect, it } from 'vitest';
import { createHttpChannel } from '../../../../../../main/core/engine/channels/http/http-channel.js';
import { LogHub, silentLogger } from '../../../../../../main/core/observability/logger.js';
import { startHttpMcpServer, type RecordedHttpRequest } from '../../../../../fixtures/http-mcp-server.js';
import { call, expectFailure, initializeMessage } from './channel-harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** All values of a header as received, in order (repeated header lines stay separate). */
function raw(req: RecordedHttpRequest, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === name) out.push(req.rawHeaders[i + 1]!);
  }
  return out;
}

describe('HTTP channel request headers', () => {
  it('replays caller headers (multi-valued), strips hop-by-hop and forwarding headers, adds extraHeaders', async () => {
    const mcp = await startHttpMcpServer();
    cleanups.push(() => mcp.close());
    const channel = createHttpChannel({
      name: 'main',
      url: mcp.url,
      logger: silentLogger,
      extraHeaders: { 'X-Upstream-Key': 'extra-canary-123' },
    });
    cleanups.push(() => channel.stop());
    await channel.start();

    const { outcome } = await call(channel, initializeMessage(), {
      'X-Custom': ['one', 'two'],
      Authorization: ['Bearer caller-token'],
      'Mcp-Method': ['initialize'],
      'Last-Event-ID': ['evt-5'],
      Connection: ['keep-alive, X-Hop-Named'],
      'X-Hop-Named': ['gone'],
      'Keep-Alive': ['timeout=5'],
      'Proxy-Authorization': ['Basic cHJveHk='],
      TE: ['trailers'],
      Upgrade: ['h2c'],
      Forwarded: ['for=203.0.113.9'],
      'X-Forwarded-For': ['203.0.113.9'],
      'X-Forwarded-Host': ['relay.example'],
      'X-Real-IP': ['203.0.113.9'],
      Host: ['relay.example'],
      'Content-Length': ['999'],
      Accept: ['text/html'],
      'Content-Type': ['text/plain'],
      'Accept-Encoding': ['gzip'],
    });
    expect(outcome.kind).toBe('jsonrpc');
    const req = mcp.requests[0]!;
    expect(raw(req, 'x-custom')).toEqual(['one', 'two']);
    expect(raw(req, 'authorization')).toEqual(['Bearer caller-token']);
    expect(raw(req, 'mcp-method')).toEqual(['initialize']);
    expect(raw(req, 'last-event-id')).toEqual(['evt-5']);
    expect(raw(req, 'x-upstream-key')).toEqual(['extra-canary-123']);
    expect(raw(req, 'accept')).toEqual(['application/json, text/event-stream']);
    expect(raw(req, 'content-type')).toEqual(['application/json']);
    expect(raw(req, 'host')).toEqual([`127.0.0.1:${mcp.port}`]);
    expect(raw(req, 'content-length')).toEqual([String(Buffer.byteLength(req.body))]);
    for (const gone of [
      'x-hop-named',
      'keep-alive',
      'proxy-authorization',
      'te',
      'upgrade',
      'forwarded',
      'x-forwarded-for',
      'x-forwarded-host',
      'x-real-ip',
      'accept-encoding',
    ]) {
      expect(raw(req, gone), gone).toEqual([]);
    }
    expect(JSON.parse(req.body)).toEqual(initializeMessage());
  });

  it('configured extraHeaders win over the caller for the same name (upstream bearer token)', async () => {
    const mcp = await startHttpMcpServer({ bearerToken: 'upstream-secret' });
    cleanups.push(() => mcp.close());
    const plain = createHttpChannel({ name: 'plain', url: mcp.url, logger: silentLogger });
    const authed = createHttpChannel({
      name: 'authed',
      url: mcp.url,
      logger: silentLogger,
      extraHeaders: { Authorization: 'Bearer upstream-secret' },
    });
    cleanups.push(
      () => plain.stop(),
      () => authed.stop(),
    );
    await plain.start();
    await authed.start();

    expectFailure((await call(plain, initializeMessage(), { Authorization: ['Bearer wrong'] })).outcome, {
      source: 'target_http',
      kind: 'http_status',
      received: true,
      upstreamStatus: 401,
    });
    const ok = await call(authed, initializeMessage(), { Authorization: ['Bearer wrong'] });
    expect(ok.outcome.kind).toBe('jsonrpc');
    expect(raw(mcp.requests.at(-1)!, 'authorization')).toEqual(['Bearer upstream-secret']);
  });

  it('keeps credentials and the query out of the snapshot target; rejects bad URLs and headers with codes', () => {
    const channel = createHttpChannel({
      name: 'main',
      url: 'http://user:pw@127.0.0.1:9/mcp?key=secret',
      logger: silentLogger,
    });
    expect(channel.snapshot()).toMatchObject({
      target: 'http://127.0.0.1:9/mcp',
      state: 'idle',
      inFlight: 0,
      sessions: 0,
    });
    expect(() => createHttpChannel({ name: 'x', url: 'ftp://h/x', logger: silentLogger })).toThrow(
      /HTTP_CHANNEL_BAD_URL/,
    );
    expect(() => createHttpChannel({ name: 'x', url: 'not a url', logger: silentLogger })).toThrow(
      /HTTP_CHANNEL_BAD_URL/,
    );
    expect(() =>
      createHttpChannel({
        name: 'x',
        url: 'http://h/x',
        logger: silentLogger,
        extraHeaders: { 'X-A': 'v\r\nX-B: y' },
      }),
    ).toThrow(/HTTP_CHANNEL_BAD_EXTRA_HEADER/);
  });

  it('sends URL credentials as Basic auth to the configured URL and keeps its query', async () => {
    const mcp = await startHttpMcpServer();
    cleanups.push(() => mcp.close());
    const url = new URL(mcp.url);
    url.username = 'alice';
    url.password = 'pw';
    url.search = '?tenant=t1';
    const channel = createHttpChannel({ name: 'main', url: url.href, logger: silentLogger });
    cleanups.push(() => channel.stop());
    await channel.start();
    expect((await call(channel, initializeMessage())).outcome.kind).toBe('jsonrpc');
    expect(mcp.requests[0]!.url).toBe('/mcp?tenant=t1');
    expect(raw(mcp.requests[0]!, 'authorization')).toEqual([
      `Basic ${Buffer.from('alice:pw').toString('base64')}`,
    ]);
  });

  it('never puts extra headers, caller credentials or the URL query into outcomes or logs', async () => {
    const mcp = await startHttpMcpServer();
    cleanups.push(() => mcp.close());
    const hub = new LogHub({ level: 'debug' });
    const channel = createHttpChannel({
      name: 'main',
      url: `${mcp.url}?token=query-canary-77`,
      logger: hub.logger('engine'),
      extraHeaders: { 'X-Upstream-Key': 'extra-canary-55' },
    });
    cleanups.push(() => channel.stop());
    await channel.start();
    const outcomes = [];
    mcp.failNext({ kind: 'reset' });
    mcp.failNext({ kind: 'status', status: 500, body: 'extra-canary-55 query-canary-77' });
    outcomes.push(
      (await call(channel, initializeMessage(), { Authorization: ['Bearer caller-canary-99'] })).outcome,
    );
    mcp.failNext({ kind: 'drop-sse' });
    outcomes.push(
      (await call(channel, initializeMessage(), { Authorization: ['Bearer caller-canary-99'] })).outcome,
    );
    const seen = JSON.stringify({ outcomes, logs: hub.entries() });
    expect(hub.entries().length).toBeGreaterThan(0);
    for (const canary of ['extra-canary-55', 'query-canary-77', 'caller-canary-99', String(mcp.port)]) {
      expect(seen).not.toContain(canary);
    }
    expect(channel.snapshot().target).toBe(mcp.url);
  });
});
