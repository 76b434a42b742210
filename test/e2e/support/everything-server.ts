/**
 * `@modelcontextprotocol/server-everything` for the end-to-end tests: its stdio argv, a client
 * set up to unlock every tool it offers (sampling, form and URL elicitation, roots, and the
 * client-side tasks the async tools need), and minimal valid arguments built from a tool's
 * inputSchema.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Client, ClientOptions } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTaskStore } from '@modelcontextprotocol/sdk/experimental/tasks';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  type CreateMessageResult,
  type ElicitResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';

const require = createRequire(import.meta.url);

/** `[node, <server-everything>/dist/index.js, 'stdio']`, from the package's own `bin`. */
export function everythingArgv(): string[] {
  const manifest = require.resolve('@modelcontextprotocol/server-everything/package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> };
  const bin = pkg.bin['mcp-server-everything'];
  if (!bin) throw new Error('server-everything has no mcp-server-everything bin');
  return [process.execPath, path.join(path.dirname(manifest), bin), 'stdio'];
}

/** Capabilities that make server-everything register all of its conditional tools. */
export function everythingClientOptions(): ClientOptions {
  return {
    capabilities: {
      sampling: {},
      elicitation: { form: {}, url: {} },
      roots: { listChanged: true },
      tasks: { requests: { sampling: { createMessage: {} }, elicitation: { create: {} } } },
    },
    taskStore: new InMemoryTaskStore(),
  };
}

export const E2E_ROOTS = [{ uri: 'file:///srv/e2e-root', name: 'e2e root' }];

/**
 * Deterministic answers to the server's requests. A request that asks for a task
 * (`params.task`) gets one created in the client's task store, already completed with the
 * same answer, so the server's tasks/get and tasks/result polling finds it.
 */
export function answerServerRequests(client: Client): void {
  client.setRequestHandler(CreateMessageRequestSchema, async (request, extra) => {
    const first = request.params.messages[0]?.content;
    const asked = first && 'text' in first ? first.text : '';
    const result: CreateMessageResult = {
      role: 'assistant',
      model: 'e2e-model',
      stopReason: 'endTurn',
      content: { type: 'text', text: `e2e answer to: ${String(asked)}` },
    };
    return asTaskIfAsked(request.params.task, extra, result);
  });
  client.setRequestHandler(ElicitRequestSchema, async (request, extra) => {
    const result: ElicitResult =
      request.params.mode === 'url'
        ? { action: 'accept' }
        : { action: 'accept', content: { name: 'E2E Tester' } };
    return asTaskIfAsked(request.params.task, extra, result);
  });
  client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: E2E_ROOTS }));
}

interface TaskExtra {
  taskStore?: {
    createTask(options: { ttl?: number | null }): Promise<{ taskId: string }>;
    storeTaskResult(taskId: string, status: 'completed', result: Record<string, unknown>): Promise<void>;
  };
  taskRequestedTtl?: number | null;
}

async function asTaskIfAsked<T extends Record<string, unknown>>(
  task: unknown,
  extra: TaskExtra,
  result: T,
): Promise<T | { task: { taskId: string } }> {
  if (!task || !extra.taskStore) return result;
  const created = await extra.taskStore.createTask({ ttl: extra.taskRequestedTtl ?? null });
  await extra.taskStore.storeTaskResult(created.taskId, 'completed', result);
  return { task: created };
}

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  format?: string;
  minimum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

/** A minimal valid value for a JSON Schema: required properties only, first enum value. */
export function minimalValue(schema: JsonSchema): unknown {
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const name of schema.required ?? []) {
        const property = schema.properties?.[name];
        if (property) out[name] = minimalValue(property);
      }
      return out;
    }
    case 'string':
      return schema.format === 'uri' ? 'https://example.com/e2e' : 'e2e';
    case 'number':
    case 'integer':
      return Math.max(schema.minimum ?? 2, 2);
    case 'boolean':
      return false;
    case 'array':
      return [];
    default:
      return null;
  }
}

/** Minimal valid arguments for `tool`, with `overrides` merged over them. */
export function minimalArguments(
  tool: Tool,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return { ...(minimalValue(tool.inputSchema) as Record<string, unknown>), ...overrides };
}
