/**
 * The admin API over the daemon's loopback HTTP listener:
 *   calls   POST <baseUrl>/api/<method>, JSON params, `{ok, result | error}` back
 *   events  GET  <baseUrl>/api/events (SSE read with fetch, since EventSource sends no headers)
 * One event stream is shared by every listener; it opens with the first listener, closes with the
 * last, and reconnects with backoff after a drop (announced as `reconnecting`, then `live`).
 *
 *   connecting ──open──▶ live ──drop──▶ reconnecting ──open──▶ live
 *        └──────────────── 401 ────────────────▶ unauthorized (final)
 */
import type {
  ContractErrorCode,
  ContractEvent,
  ContractEvents,
  ContractMethod,
  ContractResult,
  ParamsOf,
  ResultOf,
} from '../../preload/contract/index.js';
import { BridgeError, type Bridge, type LiveState } from './bridge.js';
import { readSse } from './sse-reader.js';

export interface HttpBridgeOptions {
  /** The listener's origin, e.g. `http://127.0.0.1:8080` (the UI's own origin when served at /ui/). */
  baseUrl: string;
  /** The per-launch admin token (from the `#token=` fragment). */
  token: string;
  fetch?: typeof fetch;
  /** Reconnect delays for the event stream; default 500 ms doubling to 5 s. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

type AnyListener = (payload: unknown) => void;

const KNOWN_CODES: readonly string[] = [
  'bad_request',
  'not_found',
  'conflict',
  'unauthorized',
  'forbidden',
  'unavailable',
  'keychain_unavailable',
  'validation_failed',
  'internal',
];

export function createHttpBridge(options: HttpBridgeOptions): Bridge {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const base = options.baseUrl.replace(/\/+$/, '');
  const auth = `Bearer ${options.token}`;
  const listeners = new Map<string, Set<AnyListener>>();
  const stateListeners = new Set<(state: LiveState) => void>();
  let state: LiveState = 'connecting';
  let stream: AbortController | undefined;

  function setState(next: LiveState): void {
    if (next === state && next !== 'live') return;
    state = next;
    for (const l of stateListeners) l(next);
  }

  function listenerCount(): number {
    let n = 0;
    for (const set of listeners.values()) n += set.size;
    return n;
  }

  function dispatch(event: string, data: string): void {
    const set = listeners.get(event);
    if (!set?.size) return;
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      return;
    }
    for (const l of set) l(payload);
  }

  async function runStream(signal: AbortSignal): Promise<void> {
    let delay = options.retryMinMs ?? 500;
    const maxDelay = options.retryMaxMs ?? 5000;
    let first = true;
    while (!signal.aborted) {
      if (!first) setState('reconnecting');
      first = false;
      try {
        const res = await doFetch(`${base}/api/events`, {
          headers: { Authorization: auth, Accept: 'text/event-stream' },
          signal,
          cache: 'no-store',
        });
        if (res.status === 401) {
          setState('unauthorized');
          return;
        }
        if (res.ok && res.body) {
          setState('live');
          delay = options.retryMinMs ?? 500;
          await readSse(res.body, (m) => dispatch(m.event, m.data));
        }
      } catch {
        // dropped or refused: retry below unless we were stopped
      }
      if (signal.aborted) return;
      await sleep(delay, signal);
      delay = Math.min(maxDelay, delay * 2);
    }
  }

  function ensureStream(): void {
    if (stream || listenerCount() === 0) return;
    const controller = new AbortController();
    stream = controller;
    void runStream(controller.signal);
  }

  function maybeCloseStream(): void {
    if (listenerCount() > 0 || !stream) return;
    stream.abort();
    stream = undefined;
    state = 'connecting';
  }

  return {
    async call<M extends ContractMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
      let res: Response;
      try {
        res = await doFetch(`${base}/api/${method}`, {
          method: 'POST',
          headers: { Authorization: auth, 'Content-Type': 'application/json' },
          body: JSON.stringify(params ?? {}),
          cache: 'no-store',
        });
      } catch {
        throw new BridgeError(
          'unavailable',
          'Cannot reach the MCP Tunnel daemon: check that `mcp-tunnel run` is still running, then reload.',
        );
      }
      let body: ContractResult<ResultOf<M>>;
      try {
        body = (await res.json()) as ContractResult<ResultOf<M>>;
      } catch {
        throw new BridgeError('internal', `The daemon answered ${res.status} without JSON: reload the page.`);
      }
      if (body.ok) return body.result;
      const code: ContractErrorCode = KNOWN_CODES.includes(body.error.code) ? body.error.code : 'internal';
      throw new BridgeError(code, body.error.message);
    },

    on<E extends ContractEvent>(event: E, listener: (payload: ContractEvents[E]) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as AnyListener;
      set.add(l);
      ensureStream();
      return () => {
        set.delete(l);
        maybeCloseStream();
      };
    },

    onLiveState(listener: (s: LiveState) => void): () => void {
      stateListeners.add(listener);
      listener(state);
      return () => stateListeners.delete(listener);
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
