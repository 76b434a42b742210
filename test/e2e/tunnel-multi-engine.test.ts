/**
 * Three real engines (buildTunnel), each with its own stdio child, polling one relay tunnel.
 * Many concurrent calls from several SDK clients: each answered exactly once with its own
 * result, the work spread across engines, and every command of a session handled by the engine
 * that served its `initialize` (the stdio channel declares proc_affinity). Stopping that engine
 * makes the session's next call a 404 (the client must re-initialize); a fresh client then
 * works on a surviving engine.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmbeddedRelay } from '../../main/core/relay/embedded.js';
import { stdioFixture, type StdioFixture } from '../main/core/engine/scenarios/stdio-fixture.js';
import { outcomeOf } from './support/mcp-compare.js';
import { E2eHarness, waitUntil, type ConnectedClient, type RunningEngine } from './support/tunnel-harness.js';

const ENGINES = 3;
const CLIENTS = 6;
const CALLS_PER_CLIENT = 10;
/** Short, so a stopped engine's sessions are declared gone quickly (polling engines stay fresh). */
const CLIENT_STALE_MS = 500;

interface Node {
  engine: RunningEngine;
  fixture: StdioFixture;
}

const e2e = new E2eHarness();
afterEach(() => e2e.cleanup());

async function startNodes(relay: EmbeddedRelay): Promise<Node[]> {
  return Promise.all(
    Array.from({ length: ENGINES }, async (_, i) => {
      const fixture = stdioFixture('main');
      e2e.track(async () => fixture.cleanup());
      const engine = await e2e.engine(relay, [fixture.config], { name: `engine-${i}` });
      return { engine, fixture };
    }),
  );
}

/** Which nodes' stdio children received a tools/call with this text. */
const nodesThatSaw = (nodes: Node[], text: string): number[] =>
  nodes.flatMap((node, i) => node.fixture.callsWithText(text).map(() => i));

const textOf = (result: unknown): string => {
  const first = (result as CallToolResult).content[0];
  return first?.type === 'text' ? first.text : JSON.stringify(first);
};

async function connectedClients(relay: EmbeddedRelay, n: number): Promise<ConnectedClient[]> {
  const clients: ConnectedClient[] = [];
  // One after another, so each initialize goes to whichever engine's poll is waiting longest.
  for (let i = 0; i < n; i++) clients.push(await e2e.client(relay.mcpUrl, relay.connectorToken));
  return clients;
}

/** The single node that saw this client's calls (`c<i>-*`), failing if there are several. */
function homeOf(nodes: Node[], client: number): number {
  const homes = new Set(
    Array.from({ length: CALLS_PER_CLIENT }, (_, j) => nodesThatSaw(nodes, `c${client}-n${j}`)).flat(),
  );
  expect([...homes], `engines that handled client ${client}'s calls`).toHaveLength(1);
  return [...homes][0]!;
}

describe('several engines polling one tunnel', () => {
  it('answers every call exactly once, with its own result, spread across engines and pinned per session', async () => {
    const relay = await e2e.relay({ clientStaleMs: CLIENT_STALE_MS });
    const nodes = await startNodes(relay);
    const clients = await connectedClients(relay, CLIENTS);

    const calls = clients.flatMap(({ client }, i) =>
      Array.from({ length: CALLS_PER_CLIENT }, async (_, j) => {
        const text = `c${i}-n${j}`;
        const result = await client.callTool({ name: 'echo', arguments: { text, delayMs: 15 } });
        return { text, got: textOf(result) };
      }),
    );
    const answers = await Promise.all(calls);
    for (const { text, got } of answers) expect(got).toBe(text);

    // Exactly once: every call reached exactly one stdio child, once.
    for (const { text } of answers) expect(nodesThatSaw(nodes, text), text).toHaveLength(1);
    const echoRecordsOf = (n: Node) =>
      n.engine.records.filter((r) => r.method === 'tools/call' && r.toolName === 'echo');
    // A record is written after the engine's terminal POST, which may finish after the client has its answer.
    await waitUntil(
      () => nodes.flatMap(echoRecordsOf).length >= CLIENTS * CALLS_PER_CLIENT,
      'one engine record per call',
    );
    const echoRecords = nodes.flatMap(echoRecordsOf);
    expect(echoRecords).toHaveLength(CLIENTS * CALLS_PER_CLIENT);
    expect(echoRecords.every((r) => r.status === 200 && r.outcome === 'ok')).toBe(true);

    // Pinned: all calls of one session on one engine. Spread: sessions on more than one engine.
    const homes = clients.map((_, i) => homeOf(nodes, i));
    expect(new Set(homes).size).toBeGreaterThan(1);
    const busy = nodes.filter((n) => n.engine.records.some((r) => r.method === 'tools/call'));
    expect(busy.length).toBeGreaterThan(1);
    // The engine that served a session's calls also served its initialize.
    for (const [i, home] of homes.entries()) {
      const initializes = nodes[home]!.engine.records.filter((r) => r.method === 'initialize');
      expect(initializes.length, `initializes on the home engine of client ${i}`).toBeGreaterThan(0);
    }
    const initializes = nodes.map((n) => n.engine.records.filter((r) => r.method === 'initialize').length);
    expect(initializes.reduce((a, b) => a + b, 0)).toBe(CLIENTS);
    expect(initializes).toEqual(nodes.map((_, k) => homes.filter((h) => h === k).length));
  });

  it('answers 404 for a session whose engine stopped; a fresh client works on another engine', async () => {
    const relay = await e2e.relay({ clientStaleMs: CLIENT_STALE_MS });
    const nodes = await startNodes(relay);
    const clients = await connectedClients(relay, ENGINES);
    for (const [i, { client }] of clients.entries()) {
      for (let j = 0; j < CALLS_PER_CLIENT; j++)
        expect(textOf(await client.callTool({ name: 'echo', arguments: { text: `c${i}-n${j}` } }))).toBe(
          `c${i}-n${j}`,
        );
    }
    const homes = clients.map((_, i) => homeOf(nodes, i));
    const victim = homes[0]!;
    const survivors = clients.filter((_, i) => homes[i] !== victim);

    await nodes[victim]!.engine.stop();
    await waitUntil(
      async () =>
        Number(/^relay_clients_connected (\d+)/m.exec(await relay.relay.metrics.text())?.[1]) === ENGINES - 1,
      'the relay to see the stopped engine as gone',
    );

    const orphaned = await outcomeOf(() =>
      clients[0]!.client.callTool({ name: 'echo', arguments: { text: 'orphan' } }),
    );
    expect(orphaned).toEqual({ kind: 'http_error', status: 404 });
    expect(nodesThatSaw(nodes, 'orphan')).toEqual([]);

    // Sessions of the surviving engines are untouched.
    for (const [k, { client }] of survivors.entries()) {
      const text = `survivor-${k}`;
      expect(textOf(await client.callTool({ name: 'echo', arguments: { text } }))).toBe(text);
      expect(nodesThatSaw(nodes, text)).toHaveLength(1);
    }

    // Re-initializing works, on an engine that is still running.
    const { client: fresh } = await e2e.client(relay.mcpUrl, relay.connectorToken);
    expect(textOf(await fresh.callTool({ name: 'echo', arguments: { text: 'fresh' } }))).toBe('fresh');
    const freshHome = nodesThatSaw(nodes, 'fresh');
    expect(freshHome).toHaveLength(1);
    expect(freshHome[0]).not.toBe(victim);
  });
});
