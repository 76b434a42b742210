/**
 * Fuzzing the relay's `POST /v1/tunnels/{id}/response` over real HTTP: random bodies (garbage,
 * JSON, near-valid payloads with random resp_headers) answer a REAL pending command of a real
 * MCP caller. The relay must answer each POST with a documented status (200 / 400 / 401 / 404 /
 * 413), never crash or leave the caller hanging, and stay healthy. Also: the engine's poll
 * client against a server that answers polls with random bodies (clear errors, no crash).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControlPlaneClient } from '../../main/core/engine/control-plane/http-client.js';
import { ControlPlaneError } from '../../main/core/engine/control-plane/errors.js';
import { startEmbeddedRelay, type EmbeddedRelay } from '../../main/core/relay/embedded.js';

let relay: EmbeddedRelay;

beforeAll(async () => {
  relay = await startEmbeddedRelay({ responseTimeoutMs: 5_000 });
});
afterAll(() => relay.close());

interface Polled {
  request_id: string;
  shard_token: string;
}

const auth = (): Record<string, string> => ({ authorization: `Bearer ${relay.runtimeKey}` });

/** Starts an MCP call through the front door and takes its command with one poll. */
async function pendingCommand(): Promise<{ command: Polled; caller: Promise<number> }> {
  const base = `${relay.controlPlaneUrl}/v1/tunnels/${relay.tunnelId}`;
  await (await request(`${base}/poll?limit=1&timeout_ms=1`, { headers: auth() })).body.text();
  const caller = request(relay.mcpUrl, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${relay.connectorToken}`,
      'content-type': 'application/json',
      accept: 'application/json',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  }).then(async (res) => {
    await res.body.text();
    return res.statusCode;
  });
  const res = await request(`${base}/poll?limit=1&timeout_ms=2000`, { headers: auth() });
  const body = (await res.body.json()) as { commands: Polled[] };
  return { command: body.commands[0]!, caller };
}

const headerName = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    'Mcp-Session-Id',
    'constructor',
    '__proto__',
    'toString',
    'WWW-Authenticate',
    'mcp-protocol-version',
  ),
);

const body = (requestId: string) =>
  fc.oneof(
    fc.string(),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc
      .record(
        {
          channel: fc.oneof(fc.constant('main'), fc.string({ maxLength: 5 }), fc.constant(null)),
          resp_json: fc.oneof(
            fc.constant({ jsonrpc: '2.0', id: 1, result: {} }),
            fc.jsonValue({ maxDepth: 2 }),
          ),
          resp_headers: fc.dictionary(headerName, fc.array(fc.string({ maxLength: 8 }), { maxLength: 2 })),
          resp_code: fc.oneof(fc.integer({ min: 100, max: 599 }), fc.integer(), fc.double()),
          resp_type: fc.constantFrom('jsonrpc_response', 'notify_ack', 'jsonrpc_notify', 'bogus'),
        },
        { requiredKeys: [] },
      )
      .map((p) => JSON.stringify({ request_id: requestId, ...p })),
  );

describe('fuzz: POST /response at a real relay', () => {
  it('answers every body with a documented status; the caller gets exactly one HTTP answer; the relay stays healthy', async () => {
    await fc.assert(
      fc.asyncProperty(fc.context(), fc.nat(), async (ctx, seed) => {
        const { command, caller } = await pendingCommand();
        const sample = fc.sample(body(command.request_id), { seed, numRuns: 1 })[0]!;
        ctx.log(sample);
        const res = await request(`${relay.controlPlaneUrl}/v1/tunnels/${relay.tunnelId}/response`, {
          method: 'POST',
          headers: {
            ...auth(),
            'content-type': 'application/json',
            'x-tunnel-shard-token': command.shard_token,
          },
          body: sample,
        });
        await res.body.text();
        expect([200, 400, 401, 404, 413]).toContain(res.statusCode);
        // Finish the command properly if the fuzzed body did not.
        await (
          await request(`${relay.controlPlaneUrl}/v1/tunnels/${relay.tunnelId}/response`, {
            method: 'POST',
            headers: {
              ...auth(),
              'content-type': 'application/json',
              'x-tunnel-shard-token': command.shard_token,
            },
            body: JSON.stringify({
              request_id: command.request_id,
              resp_code: 200,
              resp_type: 'jsonrpc_response',
              resp_json: { jsonrpc: '2.0', id: 1, result: {} },
            }),
          })
        ).body.text();
        expect(await caller).toBeGreaterThanOrEqual(200);
        const health = await request(`${relay.controlPlaneUrl}/healthz`);
        await health.body.text();
        expect(health.statusCode).toBe(200);
      }),
      { numRuns: 60 },
    );
  });

  it('resp_headers named like Object.prototype members (constructor, __proto__) do not break the caller’s answer', async () => {
    for (const name of ['constructor', '__proto__']) {
      const { command, caller } = await pendingCommand();
      const res = await request(`${relay.controlPlaneUrl}/v1/tunnels/${relay.tunnelId}/response`, {
        method: 'POST',
        headers: {
          ...auth(),
          'content-type': 'application/json',
          'x-tunnel-shard-token': command.shard_token,
        },
        body: `{"request_id":"${command.request_id}","resp_code":200,"resp_type":"jsonrpc_response","resp_json":{"jsonrpc":"2.0","id":1,"result":{}},"resp_headers":{"${name}":["x"]}}`,
      });
      await res.body.text();
      expect(res.statusCode).toBe(200);
      expect(await caller).toBe(200);
    }
  });
});

describe('fuzz: poll bodies at the engine’s control-plane client', () => {
  let server: Server;
  let next = '';
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(next);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('any 200 body: decoded commands, or a protocol ControlPlaneError with a reason; never anything else', async () => {
    const client = createControlPlaneClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      tunnelId: 'tunnel_0123456789abcdef0123456789abcdef',
      apiKey: 'sk-fuzz-0123456789',
      clientVersion: '0.0.0',
      serverInfo: '{"version":1,"channels":[{"name":"main","proc_affinity":true}]}',
    });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string(),
            fc.jsonValue().map((v) => JSON.stringify(v)),
            fc.array(fc.jsonValue({ maxDepth: 2 })).map((c) => JSON.stringify({ commands: c })),
          ),
          async (text) => {
            next = text;
            try {
              const result = await client.poll({
                limit: 5,
                timeoutMs: 1000,
                signal: AbortSignal.timeout(5_000),
              });
              expect(Array.isArray(result.commands)).toBe(true);
            } catch (error) {
              expect(error).toBeInstanceOf(ControlPlaneError);
              expect((error as ControlPlaneError).code).toBe('protocol');
              expect((error as Error).message.length).toBeGreaterThan(10);
            }
          },
        ),
        { numRuns: 150 },
      );
    } finally {
      await client.close();
    }
  });
});
