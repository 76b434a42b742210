/**
 * A fault-injecting TCP proxy on loopback, placed between the engine and the relay (or an HTTP
 * MCP server). Every accepted connection gets a fault plan, decided when it is accepted by the
 * current policy; latency and stalls are also read live, so they change for open connections.
 *
 *   const proxy = await startFaultProxy({ port: relay.port });
 *   proxy.setPolicy(() => ({ kind: 'truncate', downBytes: 40 }));   // new connections
 *   proxy.setLatency(30); proxy.stall(); proxy.resume();             // live, every connection
 *   proxy.resetAll();                                                // RST every open connection
 *
 * Plans (per connection):
 *   pass                           forward both ways
 *   reset {upBytes?|downBytes?}    forward until that many bytes went that way, then RST both sides
 *   truncate {downBytes}           forward that many response bytes, then end (FIN) both sides
 *   half-open                      accept, read and drop everything, never connect or answer
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type FaultPlan =
  | { kind: 'pass' }
  | { kind: 'reset'; upBytes?: number; downBytes?: number }
  | { kind: 'truncate'; downBytes: number }
  | { kind: 'half-open' };

export type FaultPolicy = (connectionIndex: number) => FaultPlan;

export interface FaultProxyStats {
  accepted: number;
  open: number;
  byKind: Record<FaultPlan['kind'], number>;
}

export interface FaultProxy {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Plan for connections accepted from now on. */
  setPolicy(policy: FaultPolicy): void;
  /** Added one-way delay per chunk (ms), both directions, live. */
  setLatency(ms: number): void;
  /** Hold every byte (both directions, every connection) until resume(). */
  stall(): void;
  resume(): void;
  /** RST every open connection. */
  resetAll(): void;
  /** Back to clean forwarding: pass policy, no latency, no stall. */
  heal(): void;
  stats(): FaultProxyStats;
  close(): Promise<void>;
}

export const PASS: FaultPolicy = () => ({ kind: 'pass' });

/**
 * RST a socket, or close it when it cannot be reset. Node 20's `resetAndDestroy()` on a socket
 * whose FIN is still pending (`end()` called, shutdown not finished) fails with `EINVAL` from
 * `uv_tcp_close_reset`, emits that as an error, and never closes the handle: the socket is
 * `destroyed` yet its handle stays open for good. A socket that already sent or queued its FIN is
 * closed instead.
 */
function hardClose(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.writableEnded) socket.destroy();
  else socket.resetAndDestroy();
}

interface Pipe {
  queue: Buffer[];
  sent: number;
  timer: NodeJS.Timeout | undefined;
}

export async function startFaultProxy(target: { port: number; host?: string }): Promise<FaultProxy> {
  const host = target.host ?? '127.0.0.1';
  let policy: FaultPolicy = PASS;
  let latencyMs = 0;
  let stalled = false;
  const live = new Set<Socket>();
  const wakers = new Set<() => void>();
  const stats: FaultProxyStats = {
    accepted: 0,
    open: 0,
    byKind: { pass: 0, reset: 0, truncate: 0, 'half-open': 0 },
  };

  const track = (socket: Socket): void => {
    live.add(socket);
    socket.on('close', () => live.delete(socket));
    socket.on('error', () => undefined);
  };

  const server: Server = createServer((client) => {
    const index = stats.accepted++;
    stats.open++;
    client.once('close', () => stats.open--);
    track(client);
    const plan = policy(index);
    stats.byKind[plan.kind]++;
    if (plan.kind === 'half-open') {
      client.resume(); // read and drop; never answer
      return;
    }
    const upstream = connect({ port: target.port, host });
    track(upstream);
    const kill = (): void => {
      hardClose(client);
      hardClose(upstream);
    };

    /** Forward `from` → `to`; a close or reset of `from` reaches `to` only after what was read from it. */
    const forward = (from: Socket, to: Socket, limit: number | undefined, atLimit: () => void): void => {
      const pipe: Pipe = { queue: [], sent: 0, timer: undefined };
      let ended: 'end' | 'reset' | undefined;
      const finishIfDrained = (): void => {
        if (ended === undefined || pipe.queue.length > 0 || to.destroyed) return;
        if (ended === 'end') to.end();
        else hardClose(to);
      };
      const flush = (): void => {
        pipe.timer = undefined;
        if (stalled || to.destroyed) return;
        while (pipe.queue.length > 0) {
          let chunk = pipe.queue.shift()!;
          if (limit !== undefined && pipe.sent + chunk.length >= limit) {
            chunk = chunk.subarray(0, limit - pipe.sent);
            pipe.sent = limit;
            if (chunk.length > 0) to.write(chunk, () => atLimit());
            else atLimit();
            pipe.queue.length = 0;
            ended = undefined;
            from.removeAllListeners('data');
            from.resume();
            return;
          }
          pipe.sent += chunk.length;
          to.write(chunk);
        }
        finishIfDrained();
      };
      const schedule = (): void => {
        if (pipe.queue.length > 0 && !pipe.timer && !stalled) pipe.timer = setTimeout(flush, latencyMs);
        else finishIfDrained();
      };
      wakers.add(schedule);
      to.on('close', () => {
        wakers.delete(schedule);
        if (pipe.timer) clearTimeout(pipe.timer);
      });
      from.on('data', (chunk: Buffer) => {
        pipe.queue.push(chunk);
        schedule();
      });
      from.on('end', () => {
        ended ??= 'end';
        schedule();
      });
      from.on('error', () => {
        ended = 'reset';
        schedule();
      });
      from.on('close', () => {
        ended ??= 'end';
        schedule();
      });
    };

    const up = plan.kind === 'reset' ? plan.upBytes : undefined;
    const down =
      plan.kind === 'reset' ? plan.downBytes : plan.kind === 'truncate' ? plan.downBytes : undefined;
    const onLimit = plan.kind === 'truncate' ? () => (client.end(), upstream.destroy()) : kill;
    client.pause();
    const refused = (): void => {
      hardClose(client);
    };
    upstream.once('error', refused);
    upstream.once('connect', () => {
      upstream.off('error', refused);
      forward(client, upstream, up, onLimit);
      forward(upstream, client, down, onLimit);
      client.resume();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  const resume = (): void => {
    stalled = false;
    for (const wake of wakers) wake();
  };

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    setPolicy(next) {
      policy = next;
    },
    setLatency(ms) {
      latencyMs = Math.max(0, ms);
    },
    stall() {
      stalled = true;
    },
    resume,
    resetAll() {
      for (const socket of [...live]) hardClose(socket);
    },
    heal() {
      policy = PASS;
      latencyMs = 0;
      resume();
    },
    stats: () => ({ ...stats, byKind: { ...stats.byKind } }),
    close: () =>
      new Promise<void>((resolve) => {
        stalled = false;
        for (const socket of [...live]) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
