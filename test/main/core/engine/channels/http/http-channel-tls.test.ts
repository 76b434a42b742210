import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpChannel } from '../../../../../../main/core/engine/channels/http/http-channel.js';
import { silentLogger } from '../../../../../../main/core/observability/logger.js';
import { startHttpMcpServer, type HttpMcpServer } from '../../../../../fixtures/http-mcp-server.js';
import { call, expectFailure, initializeMessage } from './channel-harness.js';

/** A throwaway CA and a server certificate for 127.0.0.1, made with the openssl CLI (no shell). */
function makePki(dir: string): { caPem: string; key: string; cert: string } {
  const openssl = (...args: string[]): void =>
    void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=MCP Tunnel Test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '1',
    '-extfile',
    'ext.cnf',
  );
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  return { caPem: read('ca.pem'), key: read('server.key'), cert: read('server.pem') };
}

describe('HTTP channel over HTTPS with an extra CA bundle', () => {
  let dir: string;
  let mcp: HttpMcpServer;
  let caPem: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'http-channel-tls-'));
    const pki = makePki(dir);
    caPem = pki.caPem;
    mcp = await startHttpMcpServer({ tls: { key: pki.key, cert: pki.cert } });
  });
  afterAll(async () => {
    await mcp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails with source tls when the CA is not trusted', async () => {
    const channel = createHttpChannel({ name: 'main', url: mcp.url, logger: silentLogger });
    await channel.start();
    try {
      expectFailure((await call(channel, initializeMessage())).outcome, {
        source: 'tls',
        kind: 'tls',
        received: false,
      });
    } finally {
      await channel.stop();
    }
  });

  it('trusts the server through caBundlePem (added to the system roots)', async () => {
    const channel = createHttpChannel({
      name: 'main',
      url: mcp.url,
      logger: silentLogger,
      caBundlePem: caPem,
    });
    await channel.start();
    try {
      const { outcome } = await call(channel, initializeMessage());
      expect(outcome).toMatchObject({
        kind: 'jsonrpc',
        status: 200,
        message: { id: 1, result: { serverInfo: { name: 'http-fixture' } } },
      });
    } finally {
      await channel.stop();
    }
  });

  it('refuses a client certificate without its key, with a code, and reports failed', async () => {
    const channel = createHttpChannel({
      name: 'main',
      url: mcp.url,
      logger: silentLogger,
      clientCertPem: caPem,
    });
    await expect(channel.start()).rejects.toThrow(/HTTP_CHANNEL_TLS_CONFIG/);
    expect(channel.snapshot()).toMatchObject({
      state: 'failed',
      lastError: expect.stringContaining('HTTP_CHANNEL_TLS_CONFIG'),
    });
    await channel.stop();
  });
});
