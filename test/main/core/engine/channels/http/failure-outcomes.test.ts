import { describe, expect, it } from 'vitest';
import {
  networkFailure,
  upstreamStatusFailure,
} from '../../../../../../main/core/engine/channels/http/failure-outcomes.js';
import { tunnelFailureErrors } from '../../../../../support/openapi.js';

const withCode = (code: string, message = 'secret https://user:pw@host/x body'): Error =>
  Object.assign(new Error(message), { code });

describe('networkFailure', () => {
  it.each([
    ['ECONNREFUSED', false, 'connect', 'connection_refused', 502],
    ['ECONNRESET', false, 'connect', 'connection_reset', 502],
    ['ENOTFOUND', false, 'dns', 'dns', 502],
    ['EAI_AGAIN', false, 'dns', 'dns', 502],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', false, 'tls', 'tls', 502],
    ['ERR_TLS_CERT_ALTNAME_INVALID', false, 'tls', 'tls', 502],
    ['UND_ERR_CONNECT_TIMEOUT', false, 'timeout', 'timeout', 504],
    ['UND_ERR_HEADERS_TIMEOUT', false, 'timeout', 'timeout', 504],
    ['UND_ERR_BODY_TIMEOUT', true, 'timeout', 'timeout', 504],
    ['UND_ERR_SOCKET', false, 'transport_closed', 'connection_closed', 502],
    ['UND_ERR_SOCKET', true, 'protocol', 'unexpected_eof', 502],
    ['EHOSTUNREACH', false, 'connect', 'host_unreachable', 502],
    ['ENETUNREACH', false, 'connect', 'network_unreachable', 502],
    ['HPE_INVALID_CONSTANT', false, 'protocol', 'invalid_protocol_response', 502],
    ['EWHATEVER', false, 'connect', 'dial', 502],
  ] as const)('%s (response received: %s) → %s/%s', (code, received, source, kind, status) => {
    const outcome = networkFailure(withCode(code), received);
    expect(outcome.failure).toEqual({
      version: 1,
      source,
      transport_error_kind: kind,
      upstream_response_received: received,
    });
    expect(outcome.status).toBe(status);
    expect(tunnelFailureErrors(outcome.failure)).toBeNull();
    expect(JSON.stringify(outcome)).not.toMatch(/secret|user:pw|https|body/);
  });

  it('looks through causes and aggregated errors', () => {
    const wrapped = Object.assign(new TypeError('fetch failed'), { cause: withCode('ECONNREFUSED') });
    expect(networkFailure(wrapped, false).failure.transport_error_kind).toBe('connection_refused');
    const aggregate = new AggregateError([withCode('ENETUNREACH'), withCode('ECONNREFUSED')]);
    expect(networkFailure(aggregate, false).failure.transport_error_kind).toBe('network_unreachable');
    expect(networkFailure(new Error('no code'), false).failure.source).toBe('client_internal');
  });

  it('target_http carries the upstream status and validates', () => {
    const outcome = upstreamStatusFailure(500);
    expect(outcome.failure.upstream_status).toBe(500);
    expect(tunnelFailureErrors(outcome.failure)).toBeNull();
  });
});
