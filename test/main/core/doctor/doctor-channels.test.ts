/**
 * Channel checks: a real MCP initialize against the Streamable HTTP fixture server (pass, with
 * the session ended; 401 without credentials; a closed port), and the stdio preflight of real
 * files: executables, `#!` interpreters resolved on the PATH the server gets, missing scripts
 * and working directories.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  channelChecks,
  httpPreflight,
  initializeCheck,
} from '../../../../main/core/doctor/checks-channels.js';
import { stdioPreflight } from '../../../../main/core/doctor/stdio-preflight.js';
import type { HttpChannelConfig } from '../../../../main/core/engine/config.js';
import { silentLogger } from '../../../../main/core/observability/logger.js';
import { startHttpMcpServer, type HttpMcpServer } from '../../../fixtures/http-mcp-server.js';

const OPTIONS = { parentEnv: process.env, timeoutMs: 10_000, logger: silentLogger };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address !== 'object') throw new Error('no port');
  return address.port;
}

describe('HTTP channel checks against the Streamable HTTP fixture', () => {
  let mcp: HttpMcpServer;
  afterEach(async () => {
    await mcp?.close();
  });

  it('initialize passes with the server identity and the session is ended with DELETE', async () => {
    mcp = await startHttpMcpServer();
    const config: HttpChannelConfig = { name: 'docs', kind: 'http', url: mcp.url };
    const [preflight, init] = await channelChecks(config, OPTIONS);
    expect(preflight).toMatchObject({ id: 'channel:docs:preflight', status: 'pass' });
    expect(preflight?.evidence).toBe(`url: ${mcp.url}`);
    expect(init).toMatchObject({ id: 'channel:docs:initialize', status: 'pass' });
    expect(init?.evidence).toContain('server: http-fixture 1.0.0');
    expect(init?.evidence).toMatch(/protocol version: 2025-06-18/);
    await mcp.waitFor(() => mcp.count('DELETE') === 1, 'the doctor ends its session');
    expect(mcp.sessionIds()).toEqual([]);
  });

  it('a server that wants credentials fails with the extra-headers advice; with them it passes', async () => {
    mcp = await startHttpMcpServer({ bearerToken: 'fixture-token-0123456789' });
    const config: HttpChannelConfig = { name: 'main', kind: 'http', url: mcp.url };
    const refused = await initializeCheck(config, OPTIONS);
    expect(refused.status).toBe('fail');
    expect(refused.summary).toMatch(/wants credentials \(HTTP 401\)/);
    expect(refused.nextStep).toMatch(/extra_headers/);
    const allowed = await initializeCheck(
      { ...config, extraHeaders: { Authorization: 'Bearer fixture-token-0123456789' } },
      OPTIONS,
    );
    expect(allowed.status).toBe('pass');
  });

  it('a closed port fails initialize with "nothing accepts connections"', async () => {
    const port = await freePort();
    const check = await initializeCheck(
      { name: 'main', kind: 'http', url: `http://127.0.0.1:${port}/mcp` },
      OPTIONS,
    );
    expect(check.status).toBe('fail');
    expect(check.summary).toBe(
      `Nothing accepts connections at http://127.0.0.1:${port}/mcp (channel 'main').`,
    );
    expect(check.evidence).toMatch(/^failure: connect\/connection_refused/);
    expect(check.nextStep).toMatch(/Start the MCP server/);
  });

  it('preflight warns about plain HTTP to a remote host and fails a non-http scheme, showing header names only', () => {
    const remote = httpPreflight({
      name: 'main',
      kind: 'http',
      url: 'http://user:pw@mcp.example.com:8080/mcp?key=abc',
      extraHeaders: { Authorization: 'Bearer secret-value-123' },
    });
    expect(remote.status).toBe('warn');
    expect(remote.evidence).toBe(
      'url: http://mcp.example.com:8080/mcp\nextra headers: Authorization (values not shown)',
    );
    expect(JSON.stringify(remote)).not.toMatch(/secret-value|pw@|key=abc/);
    expect(httpPreflight({ name: 'main', kind: 'http', url: 'ftp://host/x' }).status).toBe('fail');
  });
});

describe('stdio preflight', () => {
  let dir: string;
  let bin: string;
  let empty: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'doctor-stdio-'));
    bin = join(dir, 'bin');
    empty = join(dir, 'empty');
    await mkdir(bin);
    await mkdir(empty);
    await writeFile(join(bin, 'python3'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function script(name: string, shebang: string, mode = 0o755): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, `${shebang}\nprint("hi")\n`);
    await chmod(path, mode);
    return path;
  }

  it('resolves a `#!/usr/bin/env python3` script and its interpreter on the PATH the server gets', async () => {
    const path = await script('server.py', '#!/usr/bin/env python3');
    const check = await stdioPreflight(
      { name: 'main', kind: 'stdio', argv: [path, '--token', 'not-shown-0123'] },
      { parentEnv: { PATH: `${bin}:/usr/bin:/bin` } },
    );
    expect(check.status).toBe('pass');
    expect(check.evidence).toBe(
      `executable: ${path}\ninterpreter: ${join(bin, 'python3')} (via /usr/bin/env)`,
    );
    expect(JSON.stringify(check)).not.toContain('not-shown-0123');
  });

  it('fails when the env interpreter is not on that PATH, naming it', async () => {
    const path = await script('server2.py', '#!/usr/bin/env python3');
    const check = await stdioPreflight(
      { name: 'main', kind: 'stdio', argv: [path] },
      { parentEnv: { PATH: empty } },
    );
    expect(check.status).toBe('fail');
    expect(check.why).toMatch(/'python3' is not on the PATH the server gets/);
    expect(check.evidence).toContain(`PATH searched: ${empty}`);
    expect(check.nextStep).toMatch(/^Install 'python3'/);
  });

  it('fails for an absolute interpreter that does not exist', async () => {
    const path = await script('server.rb', '#!/opt/nowhere/bin/ruby9 -w');
    const check = await stdioPreflight(
      { name: 'main', kind: 'stdio', argv: [path] },
      { parentEnv: process.env },
    );
    expect(check.status).toBe('fail');
    expect(check.why).toMatch(/\/opt\/nowhere\/bin\/ruby9 does not exist/);
  });

  it('fails a script that is not executable with the chmod advice', async () => {
    const path = await script('plain.sh', '#!/bin/sh', 0o644);
    const check = await stdioPreflight(
      { name: 'main', kind: 'stdio', argv: [path] },
      { parentEnv: process.env },
    );
    expect(check.status).toBe('fail');
    expect(check.summary).toMatch(/is not executable/);
    expect(check.nextStep).toMatch(/chmod \+x/);
  });

  it('fails when node would run a script that does not exist, and when the cwd is missing', async () => {
    const missingScript = await stdioPreflight(
      { name: 'main', kind: 'stdio', argv: ['node', 'dist/missing-server.js'], cwd: dir },
      { parentEnv: process.env },
    );
    expect(missingScript.status).toBe('fail');
    expect(missingScript.evidence).toContain(`looked for: ${join(dir, 'dist/missing-server.js')}`);
    const missingCwd = await stdioPreflight(
      { name: 'main', kind: 'stdio', argv: ['node', 'server.js'], cwd: join(dir, 'nope') },
      { parentEnv: process.env },
    );
    expect(missingCwd.status).toBe('fail');
    expect(missingCwd.summary).toMatch(/working directory/);
  });
});
