import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requestProblems, responseProblems, schemaErrors, tunnelFailureErrors } from './openapi.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/protocol/${name}`, import.meta.url), 'utf8'));

describe('openapi validator', () => {
  it('accepts the shared fixtures and rejects a broken payload', () => {
    expect(schemaErrors('PolledCommandList', fixture('poll_command_envelope.json'))).toBeNull();
    expect(schemaErrors('TunnelResponsePayload', fixture('jsonrpc_notify_response.json'))).toBeNull();
    expect(
      schemaErrors('TunnelResponsePayload', { request_id: 'r', resp_code: 200, shard_token: 'x' }),
    ).toMatch(/additional/);
  });

  it('checks tunnel_failure provenance rules', () => {
    expect(
      tunnelFailureErrors({ version: 1, source: 'connect', upstream_response_received: false }),
    ).toBeNull();
    expect(
      tunnelFailureErrors({ version: 1, source: 'target_http', upstream_response_received: true }),
    ).not.toBeNull();
  });

  it('checks requests and responses against operations', () => {
    const good = {
      method: 'GET',
      url: '/prefix/v1/tunnels/tunnel_x/poll?limit=25&timeout_ms=100',
      headers: { authorization: 'Bearer k' },
    };
    expect(requestProblems(good)).toEqual([]);
    expect(requestProblems({ ...good, url: '/v1/tunnels/t/poll?limit=26' })).toHaveLength(1);
    expect(
      requestProblems({
        method: 'POST',
        url: '/v1/tunnels/t/response',
        headers: { authorization: 'Bearer k' },
        body: {},
      }),
    ).toEqual(
      expect.arrayContaining([expect.stringMatching(/X-Tunnel-Shard-Token/), expect.stringMatching(/body/)]),
    );
    expect(responseProblems('GET', '/v1/tunnels/t/poll', 204, undefined)).toEqual([]);
    expect(responseProblems('GET', '/v1/tunnels/t/poll', 418, undefined)).toHaveLength(1);
    expect(
      responseProblems('POST', '/v1/tunnels/t/response', 404, {
        error: { message: 'gone', type: 'invalid_request_error', code: 'pending_request_not_found' },
      }),
    ).toEqual([]);
  });
});
