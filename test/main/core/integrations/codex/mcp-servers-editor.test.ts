import fc from 'fast-check';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { CodexConfigError } from '../../../../../main/core/integrations/codex/codex-errors.js';
import { renderEntryTable } from '../../../../../main/core/integrations/codex/entry-toml.js';
import {
  removeMcpServer,
  upsertMcpServer,
} from '../../../../../main/core/integrations/codex/mcp-servers-editor.js';

const ENTRY = {
  url: 'http://127.0.0.1:8787/v1/mcp/tunnel_abc',
  http_headers: { Authorization: 'Bearer mcpt_ct_"quoted"\\slash' },
  startup_timeout_sec: 30,
  tool_timeout_sec: 300,
};
const TABLE = renderEntryTable('tunnel', ENTRY);

const HEAD = `# Codex settings — hand-edited, keep my comments
model = "o3"   # trailing comment
approval_policy = "on-request"

[mcp_servers.jira]
command = "npx"
args = [
  "-y",   # a comment inside an array
  "jira-mcp[server]",
]

[mcp_servers.jira.env]
JIRA_URL = "https://jira.example.com"

`;
const TAIL = `
# About the next table
[profiles.fast]
model = "gpt-5"
notes = """
[mcp_servers.tunnel]
this is text, not a table
"""
`;

describe('upsertMcpServer', () => {
  it('appends a new table after one blank line, leaving every existing byte in place', () => {
    const text = HEAD.trimEnd() + '\n' + TAIL;
    const out = upsertMcpServer(text, 'tunnel', ENTRY);
    expect(out).toBe(`${text}\n${TABLE}`);
    expect((parse(out).mcp_servers as Record<string, unknown>).tunnel).toEqual(ENTRY);
  });

  it('replaces the table and all its sub-tables in place, nothing else', () => {
    const old = `[mcp_servers.tunnel]
url = "http://old"
# a note inside the entry
bearer_token_env_var = "OLD"

[mcp_servers.tunnel.http_headers]
X-Old = "1"

[mcp_servers.tunnel.tools.echo]
approval_mode = "approve"
`;
    const out = upsertMcpServer(HEAD + old + TAIL, 'tunnel', ENTRY);
    expect(out).toBe(HEAD + TABLE + TAIL);
  });

  it('replaces an inline entry under [mcp_servers] on its own line, keeping its neighbours', () => {
    const before = '[mcp_servers]\na = { url = "http://a" }\n';
    const after = 'b = { command = "b", args = ["x"] }\n';
    const out = upsertMcpServer(`${before}  tunnel = { url = "http://old" }\n${after}`, 'tunnel', ENTRY);
    expect(out).toBe(
      `${before}  tunnel = { url = "http://127.0.0.1:8787/v1/mcp/tunnel_abc", ` +
        `http_headers = { Authorization = "Bearer mcpt_ct_\\"quoted\\"\\\\slash" }, ` +
        `startup_timeout_sec = 30, tool_timeout_sec = 300 }\n${after}`,
    );
    expect((parse(out).mcp_servers as Record<string, unknown>).tunnel).toEqual(ENTRY);
  });

  it('replaces root-level dotted keys (even a multi-line array) with one inline line', () => {
    const text = 'mcp_servers.tunnel.command = "x"\nmcp_servers.tunnel.args = [\n  "a",\n]\nother = 1\n';
    const out = upsertMcpServer(text, 'tunnel', ENTRY);
    expect(out.endsWith('\nother = 1\n')).toBe(true);
    expect(out.startsWith('mcp_servers.tunnel = { url = ')).toBe(true);
    expect(parse(out)).toEqual({ mcp_servers: { tunnel: ENTRY }, other: 1 });
  });

  it('keeps CRLF line breaks, for the new table too', () => {
    const text = 'model = "o3"\r\n\r\n[mcp_servers.jira]\r\ncommand = "npx"\r\n';
    const out = upsertMcpServer(text, 'tunnel', ENTRY);
    expect(out).toBe(`${text}\r\n${TABLE.replaceAll('\n', '\r\n')}`);
    expect(out.replaceAll('\r\n', '')).not.toContain('\n');
  });

  it('handles a file without a trailing newline, an empty file and a whitespace-only file', () => {
    expect(upsertMcpServer('model = "o3"', 'tunnel', ENTRY)).toBe(`model = "o3"\n\n${TABLE}`);
    expect(upsertMcpServer('', 'tunnel', ENTRY)).toBe(TABLE);
    expect(upsertMcpServer('\n', 'tunnel', ENTRY)).toBe(`\n${TABLE}`);
  });

  it('keeps a byte-order mark and tab indentation outside the entry', () => {
    const text = '\uFEFF# bom\n\t[mcp_servers.tunnel]\n\turl = "old"\n\n\t[other]\n\tx = 1\n';
    expect(upsertMcpServer(text, 'tunnel', ENTRY)).toBe(`\uFEFF# bom\n${TABLE}\n\t[other]\n\tx = 1\n`);
    expect(removeMcpServer(text, 'tunnel').text).toBe('\uFEFF# bom\n\n\t[other]\n\tx = 1\n');
  });

  it('is idempotent: a second upsert returns the identical text', () => {
    for (const text of ['', HEAD + TAIL, '[mcp_servers]\ntunnel = { url = "x" }\n']) {
      const once = upsertMcpServer(text, 'tunnel', ENTRY);
      expect(upsertMcpServer(once, 'tunnel', ENTRY)).toBe(once);
    }
  });

  it('refuses a file that does not parse, naming the line, and never returns a text', () => {
    const broken = 'model = "o3"\n[mcp_servers.jira\ncommand = "x"\n';
    let error: unknown;
    try {
      upsertMcpServer(broken, 'tunnel', ENTRY);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CodexConfigError);
    expect((error as CodexConfigError).code).toBe('codex_config_unparsable');
    expect((error as Error).message).toMatch(/line 2/);
    expect((error as Error).message).toMatch(/left untouched/);
  });

  it('rejects names Codex would reject, suggesting a valid one', () => {
    for (const bad of ['my server', 'a.b', '', 'ünïcode', '"quoted"']) {
      expect(() => upsertMcpServer('', bad, ENTRY)).toThrow(/not a valid Codex MCP server name/);
    }
    expect(() => upsertMcpServer('', 'my server', ENTRY)).toThrow(/'my-server'/);
    expect(() => removeMcpServer('', 'a.b')).toThrow(CodexConfigError);
  });

  it('never writes bearer_token (Codex rejects it)', () => {
    expect(() => upsertMcpServer('', 'tunnel', { url: 'http://x', bearer_token: 'secret' })).toThrow(
      /bearer_token_env_var/,
    );
  });

  it('refuses an edit that cannot be expressed without breaking the file', () => {
    // mcp_servers is a sealed inline table: a [mcp_servers.tunnel] header would be invalid TOML.
    const sealed = 'mcp_servers = { jira = { command = "npx" } }\n';
    expect(() => upsertMcpServer(sealed, 'tunnel', ENTRY)).toThrow(/left untouched/);
  });
});

describe('removeMcpServer', () => {
  it('removes the table, its sub-tables and one blank line, nothing else', () => {
    const old =
      '[mcp_servers.tunnel]\nurl = "http://old"\n\n[mcp_servers.tunnel.env_http_headers]\nX = "Y"\n';
    const head = HEAD.trimEnd() + '\n';
    const { text, removed } = removeMcpServer(`${head}\n${old}${TAIL}`, 'tunnel');
    expect(removed).toBe(true);
    expect(text).toBe(head + TAIL);
  });

  it('removes an inline entry line and dotted keys', () => {
    expect(removeMcpServer('[mcp_servers]\na = { url = "a" }\ntunnel = { url = "t" }\n', 'tunnel').text).toBe(
      '[mcp_servers]\na = { url = "a" }\n',
    );
    expect(removeMcpServer('x = 1\nmcp_servers.tunnel.url = "t"\r\n', 'tunnel').text).toBe('x = 1\n');
  });

  it('reports removed: false and returns the text unchanged when the entry is absent', () => {
    const text = HEAD + TAIL;
    expect(removeMcpServer(text, 'tunnel')).toEqual({ text, removed: false });
    expect(removeMcpServer('', 'tunnel')).toEqual({ text: '', removed: false });
  });

  it('undoes an append exactly', () => {
    for (const text of ['', 'a = 1\n', HEAD + TAIL, 'a = 1\r\n[t]\r\nb = 2\r\n']) {
      expect(removeMcpServer(upsertMcpServer(text, 'tunnel', ENTRY), 'tunnel').text).toBe(text);
    }
  });
});

// ---- property: random valid configs built from random tables and comments -----------------

const bareKey = fc.stringMatching(/^[a-z][a-z0-9_-]{0,7}$/);
const scalar = fc.oneof(
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.boolean().map(String),
  fc.constantFrom("'literal [x]'", '"""\nmulti\n[mcp_servers.tunnel]\nline"""', "'''\n# not a comment\n'''"),
);
const value = fc.oneof(
  scalar,
  fc
    .array(scalar, { maxLength: 3 })
    .map((items) => `[\n  ${items.join(',\n  ')}${items.length ? ',' : ''}\n]`),
  fc
    .array(fc.tuple(bareKey, scalar), { maxLength: 2 })
    .map(
      (pairs) =>
        `{ ${[...new Map(pairs)].map(([k, v]) => `${k} = ${v.includes('\n') ? '"s"' : v}`).join(', ')} }`,
    ),
);
/** Comment text without control characters (TOML forbids most of them in comments). */
const printable = (s: string): string =>
  [...s].map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c)).join('');
const comment = fc.string({ maxLength: 20 }).map((s) => `# ${printable(s)}`);
const keyvals = fc
  .array(fc.tuple(bareKey, value, fc.option(comment, { nil: undefined })), { minLength: 1, maxLength: 4 })
  .map((rows) =>
    [...new Map(rows.map(([k, v, c]) => [k, c ? `${c}\n${k} = ${v}` : `${k} = ${v}`]))]
      .map(([, l]) => l)
      .join('\n'),
  );
const header = fc.oneof(
  bareKey.map((k) => `[${k}]`),
  bareKey.filter((k) => k !== 'tunnel').map((k) => `[mcp_servers.${k}]`),
  fc.tuple(bareKey, bareKey).map(([a, b]) => `[${a}."${b} x"]`),
);
const block = fc
  .tuple(fc.option(comment, { nil: undefined }), header, keyvals)
  .map(([c, h, body]) => ({ header: h, text: `${c ? `${c}\n` : ''}${h}\n${body}\n` }));
const doc = fc
  .tuple(fc.option(keyvals, { nil: undefined }), fc.array(block, { maxLength: 5 }), fc.boolean())
  .map(([root, blocks, crlf]) => {
    const seen = new Set<string>();
    const unique = blocks.filter((b) => !seen.has(b.header) && seen.add(b.header));
    return { root: root ? [`${root}\n`] : [], blocks: unique.map((b) => b.text), crlf };
  });
const targetBlock = fc
  .tuple(value, fc.option(comment, { nil: undefined }), fc.boolean())
  .map(
    ([v, c, env]) =>
      `[mcp_servers.tunnel]\n${c ? `${c}\n` : ''}url = "http://t"\nextra = ${v}\n` +
      (env ? '\n[mcp_servers.tunnel.env]\nA = "1"\n' : ''),
  );

function join(parts: string[], crlf: boolean): string {
  const text = parts.join('\n');
  return crlf ? text.replaceAll('\n', '\r\n') : text;
}

function isValid(text: string): boolean {
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('editor properties', () => {
  it('upsert then remove restores every byte of a random config; upsert is idempotent', () => {
    fc.assert(
      fc.property(doc, ({ root, blocks, crlf }) => {
        const text = join([...root, ...blocks], crlf);
        fc.pre(isValid(text));
        const added = upsertMcpServer(text, 'tunnel', ENTRY);
        expect(added.startsWith(text)).toBe(true);
        expect(upsertMcpServer(added, 'tunnel', ENTRY)).toBe(added);
        expect(removeMcpServer(added, 'tunnel').text).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('replacing or removing an existing entry anywhere leaves the other tables byte-for-byte', () => {
    fc.assert(
      fc.property(doc, targetBlock, fc.nat(), ({ root, blocks, crlf }, target, at) => {
        const i = at % (blocks.length + 1);
        const around = (middle: string[]): string =>
          join([...root, ...blocks.slice(0, i), ...middle, ...blocks.slice(i)], crlf);
        const text = around([target]);
        fc.pre(isValid(text));
        expect(upsertMcpServer(text, 'tunnel', ENTRY)).toBe(around([TABLE]));
        expect(removeMcpServer(text, 'tunnel').text).toBe(around([]));
      }),
      { numRuns: 300 },
    );
  });
});
