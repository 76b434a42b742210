/**
 * `admin_listener`: the health/admin address (health.listen_addr / HEALTH_LISTEN_ADDR /
 * --health.listen-addr, default 127.0.0.1:0) parses and can be bound; the socket is released at
 * once. A port already taken by a running mcp-tunnel (its /healthz answers) is a warning, not a
 * failure: that is what a running tunnel looks like. A non-loopback address without explicit
 * allowance warns: `run` refuses it unless remote admin access is allowed.
 */
import { createServer } from 'node:net';
import { request } from 'node:http';
import { AdminListenError, parseListenAddr } from '../admin/admin-http-server.js';
import { check, CHECK_IDS, type DoctorCheck } from './doctor-check.js';

export const DEFAULT_ADMIN_LISTEN = '127.0.0.1:0';

export interface AdminListenerOptions {
  /** The address as configured; default 127.0.0.1:0. */
  listen?: string;
  /** Where the address came from, for messages (e.g. `health.listen_addr`). */
  source?: string;
  /** Remote admin access explicitly allowed. */
  allowRemote?: boolean;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

export async function adminListenerCheck(options: AdminListenerOptions): Promise<DoctorCheck> {
  const id = CHECK_IDS.adminListener;
  const listen = options.listen ?? DEFAULT_ADMIN_LISTEN;
  const source = options.source ?? 'default';
  const fix =
    'Set health.listen_addr / HEALTH_LISTEN_ADDR / --health.listen-addr to host:port, e.g. 127.0.0.1:8080 (port 0 picks a free one).';
  let host: string;
  let port: number;
  try {
    ({ host, port } = parseListenAddr(listen));
  } catch (err) {
    if (!(err instanceof AdminListenError)) throw err;
    return check(id, 'fail', `The admin listen address '${listen}' is not host:port.`, {
      evidence: `from: ${source}`,
      nextStep: fix,
    });
  }
  const evidence = [`address: ${listen}`, `from: ${source}`];
  const bound = await tryBind(host, port);
  if (!bound.ok) {
    if (bound.code === 'EADDRINUSE' && (await answersHealthz(host, port))) {
      return check(id, 'warn', `${listen} is already served by a running mcp-tunnel.`, {
        why: 'Its /healthz answers; a second `run` with this address would fail to bind.',
        evidence: [...evidence, 'bind: EADDRINUSE', 'GET /healthz: 200'],
        nextStep:
          'Nothing to do if that is this tunnel; otherwise stop it or give this profile another port.',
      });
    }
    return check(id, 'fail', `The admin listener cannot bind ${listen} (${bound.code}).`, {
      evidence: [...evidence, `bind: ${bound.code}`],
      nextStep:
        bound.code === 'EADDRINUSE'
          ? `Another program uses port ${port}: stop it, or pick another port. ${fix}`
          : bound.code === 'EACCES'
            ? `Ports below 1024 need privileges: pick a port of 1024 or more. ${fix}`
            : `This machine has no address ${host}: use 127.0.0.1. ${fix}`,
    });
  }
  evidence.push(`bound and released: ${bound.address}`);
  if (!isLoopbackHost(host) && !options.allowRemote) {
    return check(id, 'warn', `The admin listener address ${listen} is reachable from other machines.`, {
      why: '`run` serves the admin API only on loopback unless remote access is explicitly allowed; the API can stop tunnels and read logs.',
      evidence,
      nextStep: `Use 127.0.0.1:${port}, or allow remote admin access explicitly (--admin.allow-remote) and protect the port with a firewall.`,
    });
  }
  return check(id, 'pass', `The admin listener can bind ${listen}.`, { evidence });
}

function tryBind(
  host: string,
  port: number,
): Promise<{ ok: true; address: string } | { ok: false; code: string }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, code: err.code ?? 'error' }));
    server.listen({ host, port, exclusive: true }, () => {
      const addr = server.address();
      const text = addr && typeof addr === 'object' ? `${addr.address}:${addr.port}` : String(addr);
      server.close(() => resolve({ ok: true, address: text }));
    });
  });
}

function answersHealthz(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      {
        host,
        port,
        path: '/healthz',
        method: 'GET',
        timeout: 1000,
        agent: false,
        headers: { connection: 'close' },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
