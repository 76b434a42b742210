/**
 * A Channel to an MCP SDK server living in this process (the demo server, tests), linked with
 * the SDK's InMemoryTransport. Same multiplexing rules as stdio (stream/), no child process.
 *
 * State: idle ──start()──▶ starting ──connected──▶ ready ──stop()──▶ stopped
 *                             └──connect fails──▶ failed ──stop()──▶ stopped
 */
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Logger } from '../../observability/logger.js';
import { systemClock, type Clock } from '../../runtime/clock.js';
import type { Channel, ChannelSnapshot, ChannelState } from './channel.js';
import { StreamMultiplexer, type StreamLink } from './stream/stream-multiplexer.js';

/** What an SDK `McpServer` or `Server` offers: connect to a transport, close. */
export interface ConnectableServer {
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
}

export interface InMemoryChannelOptions {
  name: string;
  createServer: () => ConnectableServer;
  logger: Logger;
  clock?: Clock;
  maxSessions?: number;
}

export function createInMemoryChannel(options: InMemoryChannelOptions): Channel {
  const logger = options.logger.child('in-memory', { channel: options.name });
  const mux = new StreamMultiplexer({
    logger,
    clock: options.clock ?? systemClock,
    maxSessions: options.maxSessions,
  });
  let state: ChannelState = 'idle';
  let lastError: string | undefined;
  let server: ConnectableServer | undefined;
  let client: InMemoryTransport | undefined;

  async function start(): Promise<void> {
    if (state !== 'idle') return;
    state = 'starting';
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    let open = true;
    clientSide.onmessage = (message: JSONRPCMessage) => mux.receive(message);
    clientSide.onclose = () => {
      open = false;
      mux.linkDown();
    };
    const link: StreamLink = {
      write(message) {
        if (!open) throw new Error('in-memory transport closed');
        clientSide.send(message as unknown as JSONRPCMessage).catch(() => {
          logger.debug('In-memory write failed (transport closing)');
        });
      },
    };
    try {
      server = options.createServer();
      await server.connect(serverSide);
      await clientSide.start();
    } catch (err) {
      state = 'failed';
      lastError = `The in-memory MCP server could not start: ${err instanceof Error ? err.message : 'unknown error'}`;
      mux.setUnavailable();
      logger.warn('In-memory MCP server failed to start');
      return;
    }
    client = clientSide;
    if ((state as ChannelState) === 'stopped') return;
    state = 'ready';
    await mux.linkUp(link);
  }

  async function stop(): Promise<void> {
    if (state === 'stopped') return;
    state = 'stopped';
    mux.close();
    try {
      await client?.close();
      await server?.close();
    } catch {
      logger.debug('Closing the in-memory MCP server failed');
    }
  }

  return {
    name: options.name,
    transport: 'in-memory',
    procAffinity: true,
    start,
    stop,
    send: (request) => mux.send(request),
    terminateSession: (request) => mux.terminateSession(request),
    snapshot(): ChannelSnapshot {
      const snap: ChannelSnapshot = {
        name: options.name,
        transport: 'in-memory',
        state,
        target: 'in-process',
        restarts: 0,
        inFlight: mux.inFlight,
        sessions: mux.sessions,
      };
      if (state === 'failed' && lastError) snap.lastError = lastError;
      return snap;
    },
  };
}
