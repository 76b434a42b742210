/** A Channel whose behaviour each test scripts; counts concurrent sends. */
import type {
  Channel,
  ChannelOutcome,
  ChannelRequest,
  ChannelSnapshot,
  ChannelState,
  SessionTerminationRequest,
} from '../../../../../main/core/engine/channels/channel.js';

export const okOutcome = (id: unknown = 1): ChannelOutcome => ({
  kind: 'jsonrpc',
  status: 200,
  headers: { 'Content-Type': ['application/json'] },
  message: { jsonrpc: '2.0', id, result: {} },
});

export class FakeChannel implements Channel {
  readonly transport = 'stdio' as const;
  readonly procAffinity = true;
  state: ChannelState = 'idle';
  lastError: string | undefined;
  readonly sends: ChannelRequest[] = [];
  readonly terminations: SessionTerminationRequest[] = [];
  active = 0;
  maxActive = 0;
  stopped = 0;
  /** Default: answer a result with the caller's id at once. */
  onSend: (request: ChannelRequest) => Promise<ChannelOutcome> = async (request) =>
    okOutcome(request.message.id);
  onTerminate: (request: SessionTerminationRequest) => Promise<ChannelOutcome> = async () => ({
    kind: 'session_terminated',
    status: 204,
    headers: {},
  });
  onStart: () => Promise<void> = async () => {
    this.state = 'ready';
  };

  constructor(readonly name = 'main') {}

  start(): Promise<void> {
    this.state = 'starting';
    return this.onStart();
  }

  async send(request: ChannelRequest): Promise<ChannelOutcome> {
    this.sends.push(request);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      return await this.onSend(request);
    } finally {
      this.active--;
    }
  }

  terminateSession(request: SessionTerminationRequest): Promise<ChannelOutcome> {
    this.terminations.push(request);
    return this.onTerminate(request);
  }

  snapshot(): ChannelSnapshot {
    const snap: ChannelSnapshot = {
      name: this.name,
      transport: this.transport,
      state: this.state,
      target: 'fake',
      restarts: 0,
      inFlight: this.active,
      sessions: 0,
    };
    if (this.lastError !== undefined) snap.lastError = this.lastError;
    return snap;
  }

  async stop(): Promise<void> {
    this.stopped++;
    this.state = 'stopped';
  }
}

/** Resolves when the signal aborts (a channel call that only ends by cancellation). */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
