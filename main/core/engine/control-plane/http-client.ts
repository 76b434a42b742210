/**
 * The engine's HTTP client for the tunnel control plane (OpenAI's or our relay), on undici with
 * one keep-alive dispatcher per client (see transport.ts for mTLS, CA bundle and proxy).
 *
 * - getTunnel(): GET {base}{prefix}/v1/tunnels/{id} → TunnelMetadata (extra fields ignored).
 * - poll(): GET …/poll?limit=N&timeout_ms=T, one attempt. `receivedAt` is stamped from the
 *   injected clock when the headers arrive, before the body is read. 204 → nothing; 200 →
 *   decodePollBody (dropped and skipped commands are logged here, once); anything else throws a
 *   ControlPlaneError. Retrying polls is the poll loop's job (backoff.ts helps). An aborted
 *   signal rejects with the signal's reason, not a ControlPlaneError.
 * - respond(): POST …/response, body serialized once and replayed byte for byte with the same
 *   headers (incl. one X-Client-Request-Id) on every attempt. 2xx → 'ok', 404 → 'gone' (never
 *   retried). Retries with backoff, Retry-After as a minimum, never past `deadline`/signal:
 *     terminal: network errors, 408, 429, 502, 503, 504;
 *     notify:   429, and failures before the request was written (no duplicates).
 *   When the deadline leaves no room for another attempt, the last error is thrown; a call made
 *   after its deadline throws a 'network' error without sending anything.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { silentLogger, type Logger } from '../../observability/logger.js';
import { registerSecret } from '../../observability/redact.js';
import { systemClock, type Clock } from '../../runtime/clock.js';
import { decodePollBody, pollBodyProblem } from '../protocol/decode.js';
import type { ResponsePayload, TunnelMetadata } from '../protocol/wire.js';
import { RESPOND_BACKOFF, retryDelay, type BackoffPolicy } from './backoff.js';
import { ControlPlaneConfigError, resolveEndpoints, type ControlPlaneEndpoints } from './base-url.js';
import {
  ControlPlaneError,
  deadlineError,
  networkError,
  protocolError,
  statusError,
  type ControlPlaneOperation,
} from './errors.js';
import { exchange, ExchangeError, type ExchangeRequest, type ExchangeResponse } from './exchange.js';
import { encodeResponsePayload } from './payload-body.js';
import { parseRetryAfter } from './retry-after.js';
import { createTransport } from './transport.js';
import type { ControlPlaneClient, PollOptions, PollResult, RespondOptions, RespondResult } from './types.js';

export interface ControlPlaneClientOptions {
  /** CONTROL_PLANE_BASE_URL; default https://api.openai.com (mtls.api.openai.com with a client cert). */
  baseUrl?: string;
  /** CONTROL_PLANE_URL_PATH, inserted before /v1 (e.g. /proxy). */
  pathPrefix?: string;
  tunnelId: string;
  /** The runtime API key. Sent only as `Authorization: Bearer`; never logged or put in an error. */
  apiKey: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  caBundlePem?: string;
  proxyUrl?: string;
  /** X-Tunnel-Client-Instance-Id; default 32 random hex chars. */
  instanceId?: string;
  /** X-Tunnel-Client-Name; default `mcp-tunnel`. */
  clientName?: string;
  clientVersion: string;
  userAgent?: string;
  /** X-Tunnel-MCP-Server-Info, built by buildServerInfo(). */
  serverInfo: string;
  /** Explicit channel allowlist: sent as sorted, repeated `channel=` poll parameters. */
  channelAllowlist?: readonly string[];
  clock?: Clock;
  logger?: Logger;
  /** Use this dispatcher instead of building one (tests); the caller then owns and closes it. */
  dispatcher?: Dispatcher;
  /** Jitter source, [0, 1). */
  random?: () => number;
  respondBackoff?: BackoffPolicy;
  /** Per-attempt cap for a response POST (also bounded by the deadline). Default 30 s. */
  respondTimeoutMs?: number;
  /** A held poll may take timeout_ms plus this before the client gives up on it. Default 15 s. */
  pollGraceMs?: number;
  /** Largest poll body accepted. Default 64 MiB. */
  maxPollBodyBytes?: number;
}

export interface HttpControlPlaneClient extends ControlPlaneClient {
  readonly instanceId: string;
  readonly endpoints: ControlPlaneEndpoints;
}

const ERROR_BODY_LIMIT = 64 * 1024;
const METADATA_BODY_LIMIT = 1024 * 1024;
const TERMINAL_RETRY_STATUSES = new Set([408, 429, 502, 503, 504]);

function checkHeaderValue(value: string, setting: string): void {
  if (/[\r\n\0]/.test(value))
    throw new ControlPlaneConfigError(`${setting} contains a line break: remove it`);
}

/** Whether `error` may be retried for a response POST of this kind. */
export function isRetryableRespondError(kind: RespondOptions['kind'], error: ControlPlaneError): boolean {
  if (kind === 'notify') {
    return error.status === 429 || (error.code === 'network' && error.requestWritten === false);
  }
  return (
    error.code === 'network' || (error.status !== undefined && TERMINAL_RETRY_STATUSES.has(error.status))
  );
}

export function createControlPlaneClient(options: ControlPlaneClientOptions): HttpControlPlaneClient {
  if (options.apiKey.trim() === '') {
    throw new ControlPlaneConfigError('no runtime API key: set CONTROL_PLANE_API_KEY (or OPENAI_API_KEY)');
  }
  checkHeaderValue(options.apiKey, 'CONTROL_PLANE_API_KEY');
  checkHeaderValue(options.serverInfo, 'the MCP server info');
  registerSecret(options.apiKey);

  const hasClientCertificate = Boolean(options.clientCertPem);
  const endpoints = resolveEndpoints({
    tunnelId: options.tunnelId,
    hasClientCertificate,
    ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
    ...(options.pathPrefix !== undefined ? { pathPrefix: options.pathPrefix } : {}),
  });
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher = options.dispatcher ?? createTransport(options);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const log = (options.logger ?? silentLogger).child('control-plane');
  const instanceId = options.instanceId ?? randomBytes(16).toString('hex');
  const clientName = options.clientName ?? 'mcp-tunnel';
  const userAgent =
    options.userAgent ??
    `${clientName}/${options.clientVersion} (node ${process.version}; ${process.platform})`;
  const respondBackoff = options.respondBackoff ?? RESPOND_BACKOFF;
  const respondTimeoutMs = options.respondTimeoutMs ?? 30_000;
  const pollGraceMs = options.pollGraceMs ?? 15_000;
  const maxPollBodyBytes = options.maxPollBodyBytes ?? 64 * 1024 * 1024;
  const secrets = [options.apiKey];
  const channelQuery = [...(options.channelAllowlist ?? [])]
    .sort()
    .map((c) => `&channel=${encodeURIComponent(c)}`)
    .join('');

  const baseHeaders: Record<string, string> = {
    authorization: `Bearer ${options.apiKey}`,
    accept: 'application/json',
    'user-agent': userAgent,
    'x-tunnel-client-name': clientName,
    'x-tunnel-client-version': options.clientVersion,
    'x-tunnel-client-instance-id': instanceId,
    'x-tunnel-mcp-server-info': options.serverInfo,
  };
  for (const [name, value] of Object.entries(baseHeaders)) checkHeaderValue(value, name);

  /** Send one request; transport failures become 'network' ControlPlaneErrors, aborts rethrow the reason. */
  async function send(operation: ControlPlaneOperation, request: ExchangeRequest): Promise<ExchangeResponse> {
    try {
      return await exchange(dispatcher, request);
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      if (error instanceof ExchangeError)
        throw networkError(operation, endpoints.origin, error.cause, error.written);
      throw error;
    }
  }

  function failure(operation: ControlPlaneOperation, res: ExchangeResponse): ControlPlaneError {
    const retryAfterMs = parseRetryAfter(res.retryAfter, clock.wallNow());
    return statusError({
      operation,
      status: res.status,
      body: res.truncated ? '' : res.body,
      secrets,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }

  async function getTunnel(signal: AbortSignal): Promise<TunnelMetadata> {
    const res = await send('getTunnel', {
      origin: endpoints.origin,
      method: 'GET',
      path: endpoints.tunnelPath,
      headers: baseHeaders,
      signal,
      headersTimeoutMs: respondTimeoutMs,
      bodyTimeoutMs: respondTimeoutMs,
      maxBodyBytes: METADATA_BODY_LIMIT,
    });
    if (res.status !== 200) throw failure('getTunnel', res);
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.body.toString('utf8'));
    } catch (error) {
      throw protocolError('getTunnel', 'tunnel metadata is not JSON', res.status, error);
    }
    const record = parsed as Partial<Record<keyof TunnelMetadata, unknown>> | null;
    if (typeof record !== 'object' || record === null || typeof record.id !== 'string') {
      throw protocolError('getTunnel', 'tunnel metadata has no id', res.status);
    }
    return {
      id: record.id,
      name: typeof record.name === 'string' ? record.name : '',
      description: typeof record.description === 'string' ? record.description : '',
    };
  }

  async function poll({ limit, timeoutMs, signal }: PollOptions): Promise<PollResult> {
    const boundedLimit = Math.min(25, Math.max(1, Math.floor(limit) || 1));
    const boundedTimeout = Math.max(1, Math.floor(timeoutMs) || 1);
    let receivedAt: number | undefined;
    const res = await send('poll', {
      origin: endpoints.origin,
      method: 'GET',
      path: `${endpoints.pollPath}?limit=${boundedLimit}&timeout_ms=${boundedTimeout}${channelQuery}`,
      headers: baseHeaders,
      signal,
      headersTimeoutMs: boundedTimeout + pollGraceMs,
      bodyTimeoutMs: boundedTimeout + pollGraceMs,
      maxBodyBytes: maxPollBodyBytes,
      onHeaders: () => {
        receivedAt = clock.now();
      },
    });
    const at = receivedAt ?? clock.now();
    if (res.status === 204) return { receivedAt: at, commands: [], dropped: [], skipped: [] };
    if (res.status !== 200) throw failure('poll', res);
    if (res.truncated) throw protocolError('poll', `poll body larger than ${maxPollBodyBytes} bytes`, 200);
    let json: unknown;
    try {
      json = JSON.parse(res.body.toString('utf8'));
    } catch (error) {
      throw protocolError('poll', 'poll body is not JSON', 200, error);
    }
    const problem = pollBodyProblem(json);
    if (problem !== undefined) throw protocolError('poll', problem, 200);
    const decoded = decodePollBody(json);
    for (const d of decoded.dropped) {
      log.warn('dropped a polled command the client cannot process', {
        requestId: d.requestId,
        reason: d.reason,
      });
    }
    for (const s of decoded.skipped) {
      log.warn('skipped a polled command of an unknown type', {
        requestId: s.requestId,
        commandType: s.commandType,
      });
    }
    return { receivedAt: at, ...decoded };
  }

  async function respond(payload: ResponsePayload, opts: RespondOptions): Promise<RespondResult> {
    const { signal, deadline, kind } = opts;
    checkHeaderValue(opts.shardToken, 'the shard token');
    const body = opts.body ?? encodeResponsePayload(payload).body;
    const headers: Record<string, string> = {
      ...baseHeaders,
      'content-type': 'application/json',
      'x-tunnel-shard-token': opts.shardToken,
      'x-client-request-id': randomUUID(),
    };
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) throw signal.reason;
      let timeout = respondTimeoutMs;
      if (deadline !== undefined) {
        const left = deadline - clock.now();
        if (left <= 0) {
          throw deadlineError('respond');
        }
        timeout = Math.max(1, Math.min(timeout, Math.ceil(left)));
      }
      let error: ControlPlaneError;
      try {
        const res = await send('respond', {
          origin: endpoints.origin,
          method: 'POST',
          path: endpoints.responsePath,
          headers,
          body,
          signal,
          headersTimeoutMs: timeout,
          bodyTimeoutMs: timeout,
          maxBodyBytes: ERROR_BODY_LIMIT,
        });
        if (res.status >= 200 && res.status < 300) return 'ok';
        if (res.status === 404) return 'gone';
        error = failure('respond', res);
      } catch (caught) {
        if (!(caught instanceof ControlPlaneError)) throw caught;
        error = caught;
      }
      if (!isRetryableRespondError(kind, error)) throw error;
      const delay = retryDelay(respondBackoff, {
        attempts: attempt,
        random,
        now: clock.now(),
        ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
        ...(deadline !== undefined ? { deadline } : {}),
      });
      if (delay === undefined) throw error;
      log.debug('retrying a response POST', {
        requestId: payload.request_id,
        respType: payload.resp_type,
        attempt,
        delayMs: delay,
        code: error.code,
        status: error.status,
      });
      await clock.sleep(delay, signal);
    }
  }

  async function close(): Promise<void> {
    if (!ownsDispatcher) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), 2_000);
      timer.unref();
    });
    const closed = dispatcher.close().then(() => 'closed' as const);
    const outcome = await Promise.race([closed, grace]);
    clearTimeout(timer);
    if (outcome === 'timeout') await dispatcher.destroy();
  }

  return { instanceId, endpoints, getTunnel, poll, respond, close };
}
