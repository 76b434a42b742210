/**
 * The benchmark's one tool, shared by the stdio and HTTP echo servers:
 *   echo {text?: string, size?: integer, delayMs?: integer}
 *     →  one text content: `text`, or `size` bytes of 'x' when `size` is given (the 64 KiB result
 *        case), answered after `delayMs` (the tool that takes time, as real tools do).
 * Results of a given size are built once and reused, so the server's own cost stays flat.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';

const padding = new Map();

function textOfSize(size) {
  let text = padding.get(size);
  if (text === undefined) {
    text = 'x'.repeat(size);
    padding.set(size, text);
  }
  return text;
}

/** Register `echo` on an McpServer. */
export function registerEcho(server) {
  server.registerTool(
    'echo',
    {
      description: 'Echo `text`, or return `size` bytes of text; after `delayMs` when given.',
      inputSchema: {
        text: z.string().optional(),
        size: z.number().int().min(0).max(8_388_608).optional(),
        delayMs: z.number().int().min(0).max(60_000).optional(),
      },
    },
    async ({ text, size, delayMs }) => {
      if (delayMs) await sleep(delayMs);
      return { content: [{ type: 'text', text: size === undefined ? (text ?? '') : textOfSize(size) }] };
    },
  );
}
