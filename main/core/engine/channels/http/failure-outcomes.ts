/**
 * Synthesized failures of the HTTP channel, as bounded provenance (openapi
 * `x-tunnel-failure-schema`): source + transport_error_kind + whether an upstream response
 * arrived (+ upstream_status, only for `target_http`). Never URLs, bodies, exception text or
 * secrets: only error *codes* are inspected, none is copied.
 */
import type { ChannelOutcome } from '../channel.js';
import type { FailureSource, TransportErrorKind } from '../../protocol/wire.js';

export type FailureOutcome = Extract<ChannelOutcome, { kind: 'failure' }>;

export function failureOutcome(
  source: FailureSource,
  kind: TransportErrorKind,
  upstreamResponseReceived: boolean,
  upstreamStatus?: number,
): FailureOutcome {
  const timeout = source === 'timeout';
  const failure: FailureOutcome['failure'] = {
    version: 1,
    source,
    transport_error_kind: kind,
    upstream_response_received: upstreamResponseReceived,
  };
  if (upstreamStatus !== undefined) failure.upstream_status = upstreamStatus;
  return {
    kind: 'failure',
    status: timeout ? 504 : 502,
    reason: timeout ? 'Gateway Timeout' : 'Bad Gateway',
    failure,
  };
}

/** A 4xx/5xx from the server without a valid JSON-RPC error body. */
export function upstreamStatusFailure(status: number): FailureOutcome {
  return failureOutcome('target_http', 'http_status', true, status);
}

/** Error codes of a (possibly wrapped or aggregated) network error, outermost first. */
function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const e = current as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof e.code === 'string') codes.push(e.code);
    if (Array.isArray(e.errors) && e.errors.length > 0) current = e.errors[0] as unknown;
    else current = e.cause;
  }
  return codes;
}

const TLS_CODE =
  /^(ERR_TLS_|ERR_SSL_|UND_ERR_PRX_TLS$|EPROTO$|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|ERR_OSSL_|HOSTNAME_MISMATCH$|INVALID_CA$|INVALID_PURPOSE$)/;

/** True for a connection dropped under us (a stale keep-alive socket is the usual cause). */
export function isConnectionDrop(err: unknown): boolean {
  return errorCodes(err).some((c) => c === 'ECONNRESET' || c === 'EPIPE' || c === 'UND_ERR_SOCKET');
}

/**
 * Map a network error to a failure. `responseReceived`: the response headers had arrived (the
 * body was being read) when the error happened.
 */
export function networkFailure(err: unknown, responseReceived: boolean): FailureOutcome {
  const codes = errorCodes(err);
  const has = (...wanted: string[]): boolean => codes.some((c) => wanted.includes(c));
  if (has('UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT'))
    return failureOutcome('timeout', 'timeout', responseReceived);
  if (has('UND_ERR_RES_EXCEEDED_MAX_SIZE'))
    return failureOutcome('protocol', 'response_body_too_large', responseReceived);
  if (responseReceived) return failureOutcome('protocol', 'unexpected_eof', true);
  if (codes.some((c) => TLS_CODE.test(c))) return failureOutcome('tls', 'tls', false);
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA'))
    return failureOutcome('dns', 'dns', false);
  if (has('ECONNREFUSED')) return failureOutcome('connect', 'connection_refused', false);
  if (has('ECONNRESET')) return failureOutcome('connect', 'connection_reset', false);
  if (has('EPIPE')) return failureOutcome('connect', 'closed_pipe', false);
  if (has('ECONNABORTED')) return failureOutcome('connect', 'connection_aborted', false);
  if (has('EHOSTUNREACH', 'EHOSTDOWN')) return failureOutcome('connect', 'host_unreachable', false);
  if (has('ENETUNREACH', 'ENETDOWN')) return failureOutcome('connect', 'network_unreachable', false);
  if (has('UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED'))
    return failureOutcome('transport_closed', 'connection_closed', false);
  if (codes.some((c) => c.startsWith('HPE_')))
    return failureOutcome('protocol', 'invalid_protocol_response', false);
  if (codes.some((c) => /^E[A-Z]+$/.test(c))) return failureOutcome('connect', 'dial', false);
  return failureOutcome('client_internal', 'unknown', false);
}

/** The command was cancelled (deadline, TTL or tunnel stop): the dispatcher discards this. */
export function abortedFailure(responseReceived: boolean): FailureOutcome {
  return failureOutcome('timeout', 'timeout', responseReceived);
}
