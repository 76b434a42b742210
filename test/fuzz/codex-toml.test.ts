/**
 * Property tests for the format-preserving Codex `config.toml` edits: for random existing
 * configs (random tables, other MCP servers, inline entries, comments, CRLF) and random garbage,
 * upsert + remove of one `[mcp_servers.NAME]` entry either succeed with exactly the intended
 * change (everything else parses unchanged) or refuse with a CodexConfigError; nothing else is
 * thrown and an unparsable input is never rewritten.
 */
import fc from 'fast-check';
import { parse, stringify } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { CodexConfigError } from '../../main/core/integrations/codex/codex-errors.js';
import { removeMcpServer, upsertMcpServer } from '../../main/core/integrations/codex/mcp-servers-editor.js';

const key = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/);
const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean());
const otherServer = fc.record({
  url: fc.string({ maxLength: 20 }),
  startup_timeout_sec: fc.integer({ min: 1, max: 99 }),
});
const config = fc
  .record({
    top: fc.dictionary(key, scalar, { maxKeys: 3 }),
    tables: fc.dictionary(key, fc.dictionary(key, scalar, { maxKeys: 2 }), { maxKeys: 2 }),
    servers: fc.dictionary(key, otherServer, { maxKeys: 3 }),
    comment: fc.string({ maxLength: 20 }).map((s) => `# ${s.replace(/[\r\n]/g, ' ')}\n`),
    crlf: fc.boolean(),
  })
  .map(({ top, tables, servers, comment, crlf }) => {
    const text = comment + stringify({ ...top, ...tables, mcp_servers: servers });
    return crlf ? text.replace(/\n/g, '\r\n') : text;
  });

const entry = fc.record(
  {
    url: fc.string({ maxLength: 30 }),
    bearer_token_env_var: fc.stringMatching(/^[A-Z_]{1,10}$/),
    http_headers: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 2 }),
    startup_timeout_sec: fc.integer({ min: 1, max: 600 }),
  },
  { requiredKeys: ['url'] },
);

function expectRefusal(error: unknown): void {
  expect(error).toBeInstanceOf(CodexConfigError);
  expect((error as CodexConfigError).code).toMatch(/^codex_/);
}

describe('fuzz: Codex config.toml edits', () => {
  it('upsert then remove: exactly the intended change, everything else unchanged', () => {
    fc.assert(
      fc.property(config, fc.oneof(key, fc.constant('mcp-tunnel')), entry, (text, name, e) => {
        const before = parse(text) as { mcp_servers?: Record<string, unknown> };
        let added: string;
        try {
          added = upsertMcpServer(text, name, e);
        } catch (error) {
          expectRefusal(error);
          return;
        }
        const after = parse(added) as { mcp_servers: Record<string, unknown> };
        expect(after.mcp_servers[name]).toEqual(JSON.parse(JSON.stringify(e)));
        const { [name]: _dropped, ...othersAfter } = after.mcp_servers;
        const { [name]: _old, ...othersBefore } = before.mcp_servers ?? {};
        expect(othersAfter).toEqual(othersBefore);
        const removed = removeMcpServer(added, name);
        expect(removed.removed).toBe(true);
        expect(
          (parse(removed.text) as { mcp_servers?: Record<string, unknown> }).mcp_servers?.[name],
        ).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('random text: an edit or a CodexConfigError; unparsable input is refused, never rewritten', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.constantFrom(
            '[mcp_servers',
            'mcp_servers = 1',
            '[mcp_servers.x]\nurl = "a"\n[mcp_servers.x]\n',
            'a = """',
          ),
        ),
        (text) => {
          try {
            const out = upsertMcpServer(text, 'mcp-tunnel', { url: 'http://127.0.0.1:1/v1/mcp/x' });
            expect(
              (parse(out) as { mcp_servers: Record<string, { url: string }> }).mcp_servers['mcp-tunnel']!.url,
            ).toBe('http://127.0.0.1:1/v1/mcp/x');
          } catch (error) {
            expectRefusal(error);
          }
          try {
            removeMcpServer(text, 'mcp-tunnel');
          } catch (error) {
            expectRefusal(error);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
