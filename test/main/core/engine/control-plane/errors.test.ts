import { describe, expect, it } from 'vitest';
import {
  codeForStatus,
  ControlPlaneError,
  networkError,
  parseApiError,
  statusError,
} from '../../../../../main/core/engine/control-plane/errors.js';

const KEY = 'sk-proj-canary-0123456789abcdef';

describe('control-plane errors', () => {
  it('maps statuses to stable codes', () => {
    expect([401, 403, 429, 500, 502, 503, 400, 404, 408, 413, 302, 201].map(codeForStatus)).toEqual([
      'auth',
      'auth',
      'rate_limited',
      'unavailable',
      'unavailable',
      'unavailable',
      'bad_request',
      'bad_request',
      'bad_request',
      'bad_request',
      'protocol',
      'protocol',
    ]);
  });

  it('parses {error:{code,message}} bodies and shrugs at anything else', () => {
    expect(parseApiError('{"error":{"message":"m","type":"t","code":"tunnel_use_forbidden"}}')).toEqual({
      apiCode: 'tunnel_use_forbidden',
      serverMessage: 'm',
    });
    expect(parseApiError(Buffer.from('{"error":{"code":null}}'))).toEqual({});
    for (const junk of ['', 'oops', 'null', '[]', '{"error":"x"}']) expect(parseApiError(junk)).toEqual({});
  });

  it('tells the operator what to do on 401/403, with the API code, never the key', () => {
    const error = statusError({
      operation: 'poll',
      status: 403,
      body: JSON.stringify({
        error: { message: `key ${KEY} is not allowed`, type: 'x', code: 'tunnel_use_forbidden' },
      }),
      secrets: [KEY],
    });
    expect(error).toBeInstanceOf(ControlPlaneError);
    expect(error).toMatchObject({
      code: 'auth',
      status: 403,
      apiCode: 'tunnel_use_forbidden',
      requestWritten: true,
    });
    expect(error.message).toMatch(
      /^the control plane rejected the runtime API key \(tunnel_use_forbidden\) while polling for commands: check CONTROL_PLANE_API_KEY/,
    );
    expect(error.message).not.toContain(KEY);
    expect(error.message).toContain('[REDACTED]');
  });

  it('carries retryAfterMs and names the next step for each category', () => {
    expect(statusError({ operation: 'respond', status: 429, retryAfterMs: 2_000 })).toMatchObject({
      code: 'rate_limited',
      retryAfterMs: 2_000,
    });
    expect(statusError({ operation: 'poll', status: 503 }).message).toMatch(
      /unavailable \(HTTP 503\).*retry with backoff/,
    );
    expect(
      statusError({
        operation: 'poll',
        status: 400,
        body: '{"error":{"code":"invalid_tunnel_id_format","message":"bad"}}',
      }).message,
    ).toMatch(/CONTROL_PLANE_TUNNEL_ID/);
  });

  it('classifies transport failures as network, hinting at TLS settings for TLS errors', () => {
    const refused = networkError(
      'respond',
      'https://h.example',
      Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
      false,
    );
    expect(refused).toMatchObject({ code: 'network', requestWritten: false });
    expect(refused.message).toMatch(/ECONNREFUSED.*proxy/);
    const tls = networkError(
      'poll',
      'https://h.example',
      Object.assign(new Error('x'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }),
      false,
    );
    expect(tls.message).toMatch(/CA_BUNDLE/);
  });
});
