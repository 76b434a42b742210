/**
 * mTLS, the extra CA bundle and HTTP proxies, against real loopback servers: a throwaway CA,
 * server and client certificate made with `openssl`, an HTTPS server that requires a client
 * certificate, and a tiny CONNECT/forward proxy.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates, type TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createControlPlaneClient,
  type ControlPlaneClientOptions,
  type HttpControlPlaneClient,
} from '../../../../../main/core/engine/control-plane/http-client.js';
import { ControlPlaneError } from '../../../../../main/core/engine/control-plane/errors.js';
import { tlsConnectOptions } from '../../../../../main/core/engine/control-plane/transport.js';
import { FakeControlPlane } from '../../../../fakes/fake-control-plane.js';

const API_KEY = 'sk-proj-canary-tls-0123456789abcdef';
const TUNNEL_ID = 'tunnel_0123456789abcdef0123456789abcdef';
const SERVER_INFO = '{"version":1,"channels":[{"name":"main","proc_affinity":true}]}';

interface Pki {
  caPem: string;
  serverKey: string;
  serverCert: string;
  clientKey: string;
  clientCert: string;
}

let dir: string;
let pki: Pki;

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function issue(name: string, cn: string, usage: 'serverAuth' | 'clientAuth', serial: string): void {
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  const ext = [
    'basicConstraints=CA:FALSE',
    `extendedKeyUsage=${usage}`,
    ...(usage === 'serverAuth' ? ['subjectAltName=IP:127.0.0.1,DNS:localhost'] : []),
  ].join('\n');
  writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
  openssl([
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-set_serial',
    serial,
    '-days',
    '2',
    '-out',
    `${name}.pem`,
    '-extfile',
    `${name}.ext`,
  ]);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-tunnel-pki-'));
  openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=mcp-tunnel-test-ca',
  ]);
  issue('server', 'localhost', 'serverAuth', '1001');
  issue('client', 'mcp-tunnel-client', 'clientAuth', '1002');
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  pki = {
    caPem: read('ca.pem'),
    serverKey: read('server.key'),
    serverCert: read('server.pem'),
    clientKey: read('client.key'),
    clientCert: read('client.pem'),
  };
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const servers: Server[] = [];
const sockets = new Set<Socket>();
const clients: HttpControlPlaneClient[] = [];
let fake: FakeControlPlane | undefined;

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await fake?.close();
  fake = undefined;
  for (const s of sockets) s.destroy();
  sockets.clear();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** An HTTPS control plane that requires a client certificate signed by the test CA. */
async function startMtlsServer(): Promise<{ url: string; peers: string[] }> {
  const peers: string[] = [];
  const server = createHttpsServer(
    { key: pki.serverKey, cert: pki.serverCert, ca: pki.caPem, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      peers.push(String(peer.subject?.CN));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: TUNNEL_ID, name: 'mTLS', description: 'requires a client cert' }));
    },
  );
  const port = await listen(server);
  return { url: `https://127.0.0.1:${port}`, peers };
}

/** A CONNECT tunnel + absolute-form forward proxy that records what went through it. */
async function startProxy(): Promise<{
  url: string;
  connects: string[];
  forwards: string[];
  auth: string[];
}> {
  const connects: string[] = [];
  const forwards: string[] = [];
  const auth: string[] = [];
  const proxy = createHttpServer((req, res) => {
    forwards.push(String(req.url));
    const upstream = httpRequest(String(req.url), { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  proxy.on('connect', (req, clientSocket: Socket, head: Buffer) => {
    connects.push(String(req.url));
    auth.push(String(req.headers['proxy-authorization'] ?? ''));
    sockets.add(clientSocket);
    const [host, port] = String(req.url).split(':');
    const upstream = connect(Number(port), host, () => {
      clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(clientSocket);
      clientSocket.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => clientSocket.destroy());
    clientSocket.on('error', () => upstream.destroy());
  });
  const port = await listen(proxy);
  return { url: `http://127.0.0.1:${port}`, connects, forwards, auth };
}

function makeClient(
  options: Partial<ControlPlaneClientOptions> & { baseUrl: string },
): HttpControlPlaneClient {
  const client = createControlPlaneClient({
    tunnelId: TUNNEL_ID,
    apiKey: API_KEY,
    clientVersion: '0.1.0-test',
    serverInfo: SERVER_INFO,
    ...options,
  });
  clients.push(client);
  return client;
}

async function failure(promise: Promise<unknown>): Promise<ControlPlaneError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ControlPlaneError);
  expect((error as Error).message).not.toContain(API_KEY);
  return error as ControlPlaneError;
}

const signal = (): AbortSignal => new AbortController().signal;

describe('TLS options', () => {
  it('adds the extra CA bundle to the bundled roots instead of replacing them', () => {
    const options = tlsConnectOptions({ caBundlePem: pki.caPem });
    expect(rootCertificates.length).toBeGreaterThan(50);
    expect(options.ca).toHaveLength(rootCertificates.length + 1);
    expect(options.ca!.slice(0, rootCertificates.length)).toEqual([...rootCertificates]);
    expect(options.ca!.at(-1)).toBe(pki.caPem);
  });

  it('leaves Node defaults alone when no bundle is configured', () => {
    expect(tlsConnectOptions({})).toEqual({});
  });

  it('requires certificate and key together, and a PEM bundle', () => {
    expect(() => tlsConnectOptions({ clientCertPem: pki.clientCert })).toThrow(/set both or neither/);
    expect(() => tlsConnectOptions({ caBundlePem: 'not a pem' })).toThrow(/CA_BUNDLE/);
  });
});

describe('mTLS', () => {
  it('presents the client certificate and trusts the server through the extra CA bundle', async () => {
    const server = await startMtlsServer();
    const client = makeClient({
      baseUrl: server.url,
      clientCertPem: pki.clientCert,
      clientKeyPem: pki.clientKey,
      caBundlePem: pki.caPem,
    });
    expect(client.endpoints.origin).toBe(server.url);
    expect(await client.getTunnel(signal())).toMatchObject({ id: TUNNEL_ID, name: 'mTLS' });
    expect(server.peers).toEqual(['mcp-tunnel-client']);
  });

  it('does not trust the server without the CA bundle, and says where to look', async () => {
    const server = await startMtlsServer();
    const client = makeClient({
      baseUrl: server.url,
      clientCertPem: pki.clientCert,
      clientKeyPem: pki.clientKey,
    });
    const error = await failure(client.getTunnel(signal()));
    expect(error).toMatchObject({ code: 'network', requestWritten: false });
    expect(error.message).toMatch(/CA_BUNDLE/);
    expect(server.peers).toEqual([]);
  });

  it('is refused by a server that requires a client certificate when none is configured', async () => {
    const server = await startMtlsServer();
    const client = makeClient({ baseUrl: server.url, caBundlePem: pki.caPem });
    expect(await failure(client.getTunnel(signal()))).toMatchObject({ code: 'network' });
    expect(server.peers).toEqual([]);
  });
});

describe('proxy', () => {
  it('sends plain-HTTP control-plane traffic through the proxy (undici ProxyAgent tunnels with CONNECT)', async () => {
    const proxy = await startProxy();
    fake = await FakeControlPlane.start({ apiKey: API_KEY, tunnelId: TUNNEL_ID });
    const client = makeClient({ baseUrl: fake.baseUrl, proxyUrl: proxy.url });
    await client.getTunnel(signal());
    await client.poll({ limit: 1, timeoutMs: 10, signal: signal() });
    expect(
      await client.respond(
        { request_id: 'r', channel: 'main', resp_code: 202, resp_type: 'notify_ack' },
        { shardToken: 's', kind: 'terminal', signal: signal() },
      ),
    ).toBe('ok');
    expect(fake.calls.map((c) => c.kind)).toEqual(['tunnel', 'poll', 'response']);
    expect(proxy.connects.length).toBeGreaterThan(0);
    expect(proxy.connects.every((target) => target === `127.0.0.1:${fake!.port}`)).toBe(true);
    expect(proxy.forwards).toEqual([]);
    expect(fake.problems()).toEqual([]);
  });

  it('carries mTLS end to end through a CONNECT tunnel, with proxy credentials from the URL', async () => {
    const proxy = await startProxy();
    const server = await startMtlsServer();
    const proxyUrl = new URL(proxy.url);
    proxyUrl.username = 'alice';
    proxyUrl.password = 'proxy-pass';
    const client = makeClient({
      baseUrl: server.url,
      clientCertPem: pki.clientCert,
      clientKeyPem: pki.clientKey,
      caBundlePem: pki.caPem,
      proxyUrl: proxyUrl.href,
    });
    await client.getTunnel(signal());
    expect(server.peers).toEqual(['mcp-tunnel-client']);
    expect(proxy.connects).toEqual([new URL(server.url).host]);
    expect(proxy.auth).toEqual([`Basic ${Buffer.from('alice:proxy-pass').toString('base64')}`]);
  });

  it('reports an unreachable proxy as a network error before anything was written', async () => {
    const proxy = await startProxy();
    const url = proxy.url.replace('http://', 'http://alice:proxy-pass@');
    for (const server of servers.splice(0))
      await new Promise<void>((resolve) => server.close(() => resolve()));
    fake = await FakeControlPlane.start({ tunnelId: TUNNEL_ID });
    const client = makeClient({ baseUrl: fake.baseUrl, proxyUrl: url });
    const error = await failure(client.getTunnel(signal()));
    expect(error).toMatchObject({ code: 'network', requestWritten: false });
    expect(error.message).not.toContain('proxy-pass');
    expect(fake.calls).toHaveLength(0);
  });
});
