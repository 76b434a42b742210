/**
 * `@modelcontextprotocol/server-everything` over stdio behind the real engine and relay: every
 * tool it lists is called through the tunnel and directly (an SDK stdio client to a second
 * server-everything process) with the same arguments, and the results must match.
 *
 * The table below names every tool; a tool the server lists that the table lacks (or the
 * reverse) fails the test, so none is skipped silently. Arguments are the minimal valid ones
 * built from the tool's inputSchema, except where a default cannot run here (noted per tool).
 * Results are compared exactly, except:
 * - get-env: the environment differs by design (the engine passes its allow-listed environment,
 *   the SDK stdio client its own); compared as "a JSON object of strings with PATH".
 * - get-resource-reference: the resource text embeds the current time of day; masked.
 * - the two *-async tools: the text embeds the client-side task id (random); ids are masked.
 * - simulate-research-query needs task augmentation (taskSupport "required"): called with
 *   `callToolStream` both ways; the final result is compared with its related-task id masked.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedRelay } from '../../main/core/relay/embedded.js';
import {
  answerServerRequests,
  everythingArgv,
  everythingClientOptions,
  minimalArguments,
} from './support/everything-server.js';
import { directStdioClient, outcomeOf, type Outcome } from './support/mcp-compare.js';
import { E2eHarness, waitUntil, type RunningEngine } from './support/tunnel-harness.js';

interface ToolPlan {
  /** Merged over the minimal arguments, with the reason. */
  overrides?: Record<string, unknown>;
  /** Maps a successful result to what is compared (default: the result itself). */
  normalize?: (result: CallToolResult) => unknown;
  /** Call with task augmentation (callToolStream) instead of a plain tools/call. */
  task?: boolean;
}

const GZIP_SOURCE = `data:text/plain;base64,${Buffer.from('hello through the tunnel\n'.repeat(20)).toString('base64')}`;
/** Task and elicitation ids: UUIDs (the client's store) or 32 hex digits (the server's). */
const TASK_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{32}\b/gi;

const masked = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value).replace(TASK_ID, '<id>')) as unknown;
const maskIds = (result: CallToolResult): unknown => masked(result);

/** "…resource created at 11:02:25 AM": the server stamps the wall-clock time into the text. */
const maskCreatedAt = (result: CallToolResult): unknown =>
  JSON.parse(JSON.stringify(result).replace(/created at [^"]*/g, 'created at <time>')) as unknown;

const envShape = (result: CallToolResult): unknown => {
  const first = result.content[0];
  const env = JSON.parse(first?.type === 'text' ? first.text : 'null') as Record<string, unknown>;
  return {
    contentTypes: result.content.map((c) => c.type),
    allStrings: Object.values(env).every((v) => typeof v === 'string'),
    hasPath: typeof env['PATH'] === 'string',
  };
};

const PLANS: Record<string, ToolPlan> = {
  echo: {},
  'get-annotated-message': {},
  'get-env': { normalize: envShape },
  'get-resource-links': {},
  'get-resource-reference': { normalize: maskCreatedAt },
  'get-structured-content': {},
  'get-sum': {},
  'get-tiny-image': {},
  // The default source is a GitHub URL (no internet here): a data: URI instead.
  'gzip-file-as-resource': { overrides: { data: GZIP_SOURCE } },
  'toggle-simulated-logging': {},
  'toggle-subscriber-updates': {},
  // The default runs 10 s: 0.2 s in 2 steps instead.
  'trigger-long-running-operation': { overrides: { duration: 0.2, steps: 2 } },
  'get-roots-list': {},
  'trigger-elicitation-request': {},
  // The default elicitation id is a random UUID: a fixed one so results compare exactly.
  'trigger-url-elicitation': { overrides: { elicitationId: 'e2e-url-elicitation' } },
  'trigger-sampling-request': {},
  'simulate-research-query': { task: true, normalize: maskIds },
  'trigger-sampling-request-async': { normalize: maskIds },
  'trigger-elicitation-request-async': { normalize: maskIds },
};

interface Run {
  outcomes: Map<string, Outcome>;
  progress: number[];
  /** The -32042 error path of trigger-url-elicitation (a JSON-RPC error the server raises). */
  urlElicitationError: Outcome;
}

async function callEveryTool(client: Client, tools: Tool[]): Promise<Run> {
  const outcomes = new Map<string, Outcome>();
  const progress: number[] = [];
  const normalized = async (tool: Tool, call: () => Promise<CallToolResult>): Promise<void> => {
    const plan = PLANS[tool.name] ?? {};
    const outcome = await outcomeOf(call);
    outcomes.set(
      tool.name,
      outcome.kind === 'result' && plan.normalize
        ? { kind: 'result', value: plan.normalize(outcome.value as CallToolResult) }
        : outcome,
    );
  };
  const argsOf = (tool: Tool): Record<string, unknown> => minimalArguments(tool, PLANS[tool.name]?.overrides);

  // The task tool takes ~4 s of server time: run it alongside the others.
  const taskTools = tools.filter((t) => PLANS[t.name]?.task);
  const background = Promise.all(
    taskTools.map((tool) =>
      normalized(tool, async () => {
        const stream = client.experimental.tasks.callToolStream(
          { name: tool.name, arguments: argsOf(tool) },
          CallToolResultSchema,
        );
        for await (const message of stream) {
          if (message.type === 'result') return message.result;
          if (message.type === 'error') throw message.error;
        }
        throw new Error(`${tool.name}: the task stream ended without a result`);
      }),
    ),
  );
  for (const tool of tools.filter((t) => !PLANS[t.name]?.task)) {
    await normalized(
      tool,
      () =>
        client.callTool({ name: tool.name, arguments: argsOf(tool) }, undefined, {
          onprogress: (p) => progress.push(p.progress),
        }) as Promise<CallToolResult>,
    );
  }
  const urlElicitationError = await outcomeOf(() =>
    client.callTool({
      name: 'trigger-url-elicitation',
      arguments: { url: 'https://example.com/e2e', elicitationId: 'e2e-error-path', errorPath: true },
    }),
  );
  await background;
  return { outcomes, progress, urlElicitationError };
}

const e2e = new E2eHarness();
let relay: EmbeddedRelay;
let engine: RunningEngine;
let tunnelled: Client;
let direct: Client;

beforeAll(async () => {
  relay = await e2e.relay();
  engine = await e2e.engine(relay, [{ name: 'main', kind: 'stdio', argv: everythingArgv() }]);
  ({ client: tunnelled } = await e2e.client(
    relay.mcpUrl,
    relay.connectorToken,
    everythingClientOptions(),
    answerServerRequests,
  ));
  direct = await directStdioClient(everythingArgv(), {}, everythingClientOptions(), answerServerRequests);
  // server-everything ignores stdin EOF (the SDK client then waits 2 s): close alongside the engine.
  e2e.track(() => direct.close(), 'engines');
});

afterAll(() => e2e.cleanup());

describe('server-everything through the tunnel and directly', () => {
  it('lists the same tools both ways, and every one of them is planned', async () => {
    const [viaTunnel, viaStdio] = await Promise.all([tunnelled.listTools(), direct.listTools()]);
    expect(viaTunnel).toEqual(viaStdio);
    expect(viaTunnel.tools.map((t) => t.name).sort()).toEqual(Object.keys(PLANS).sort());
  });

  it('gives the same result for every tool, called with the same arguments', async () => {
    const { tools } = await direct.listTools();
    const [viaTunnel, viaStdio] = await Promise.all([
      callEveryTool(tunnelled, tools),
      callEveryTool(direct, tools),
    ]);

    for (const tool of tools) {
      const got = viaTunnel.outcomes.get(tool.name);
      // Every planned tool really ran: a result (not an error) both ways.
      expect(viaStdio.outcomes.get(tool.name), `${tool.name} directly`).toMatchObject({ kind: 'result' });
      expect(got, `${tool.name} through the tunnel`).toEqual(viaStdio.outcomes.get(tool.name));
    }
    // Progress of the long-running operation reached the client over SSE, as directly.
    // Directly over stdio the SDK client may drop the last one: a progress notification and the
    // response read in one chunk race (notifications are handled a microtask later), so the
    // direct run only has to show a non-empty prefix.
    expect(viaTunnel.progress).toEqual([1, 2]);
    expect([[1], [1, 2]]).toContainEqual(viaStdio.progress);
    // A JSON-RPC error raised by the server (-32042, with its data) arrives verbatim.
    expect(viaTunnel.urlElicitationError).toMatchObject({ kind: 'mcp_error', code: -32042 });
    // (Its prerequisite elicitation id is a random UUID: masked.)
    expect(masked(viaTunnel.urlElicitationError)).toEqual(masked(viaStdio.urlElicitationError));
    // And it all went through the engine.
    const calledTools = (): Set<string | undefined> =>
      new Set(engine.records.filter((r) => r.method === 'tools/call').map((r) => r.toolName));
    // Records are written after the engine's terminal POST, which may finish after the client has its answer.
    await waitUntil(() => tools.every((t) => calledTools().has(t.name)), 'an engine record of every tool');
  });
});
