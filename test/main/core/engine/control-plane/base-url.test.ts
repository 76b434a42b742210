import { describe, expect, it } from 'vitest';
import {
  ControlPlaneConfigError,
  normalizePathPrefix,
  resolveBaseUrl,
  resolveEndpoints,
} from '../../../../../main/core/engine/control-plane/base-url.js';

const id = 'tunnel_0123456789abcdef0123456789abcdef';

describe('resolveBaseUrl', () => {
  it('defaults to https://api.openai.com', () => {
    expect(resolveBaseUrl(undefined, false).origin).toBe('https://api.openai.com');
    expect(resolveBaseUrl('  ', false).origin).toBe('https://api.openai.com');
  });

  it('switches the default host to mtls.api.openai.com when a client certificate is set', () => {
    expect(resolveBaseUrl(undefined, true).origin).toBe('https://mtls.api.openai.com');
    expect(resolveBaseUrl('https://api.openai.com/', true).origin).toBe('https://mtls.api.openai.com');
  });

  it('leaves other hosts alone, with or without a certificate', () => {
    expect(resolveBaseUrl('https://relay.example.com', true).origin).toBe('https://relay.example.com');
    expect(resolveBaseUrl('http://127.0.0.1:8080', true).origin).toBe('http://127.0.0.1:8080');
    expect(resolveBaseUrl('https://mtls.api.openai.com', false).origin).toBe('https://mtls.api.openai.com');
  });

  it.each([
    ['not-a-url', /not a valid URL/],
    ['ftp://example.com', /https:\/\//],
    ['https://user:hunter2@example.com', /must not contain credentials/],
    ['https://example.com/?x=1', /query/],
  ])('rejects %s with a message naming the setting', (value, message) => {
    expect(() => resolveBaseUrl(value, false)).toThrow(ControlPlaneConfigError);
    expect(() => resolveBaseUrl(value, false)).toThrow(message);
    try {
      resolveBaseUrl(value, false);
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});

describe('resolveEndpoints', () => {
  it('uses the plural tunnel paths', () => {
    expect(resolveEndpoints({ tunnelId: id, hasClientCertificate: false })).toEqual({
      origin: 'https://api.openai.com',
      tunnelPath: `/v1/tunnels/${id}`,
      pollPath: `/v1/tunnels/${id}/poll`,
      responsePath: `/v1/tunnels/${id}/response`,
    });
  });

  it('inserts the path prefix before /v1, after any base path', () => {
    expect(
      resolveEndpoints({ tunnelId: id, hasClientCertificate: false, pathPrefix: '/proxy/' }).pollPath,
    ).toBe(`/proxy/v1/tunnels/${id}/poll`);
    expect(
      resolveEndpoints({
        tunnelId: id,
        hasClientCertificate: false,
        baseUrl: 'https://h.example/base/',
        pathPrefix: 'p',
      }).responsePath,
    ).toBe(`/base/p/v1/tunnels/${id}/response`);
  });

  it('escapes the tunnel id and rejects an empty one', () => {
    expect(resolveEndpoints({ tunnelId: 'a/b', hasClientCertificate: false }).tunnelPath).toBe(
      '/v1/tunnels/a%2Fb',
    );
    expect(() => resolveEndpoints({ tunnelId: ' ', hasClientCertificate: false })).toThrow(
      /CONTROL_PLANE_TUNNEL_ID/,
    );
  });

  it('normalizes and validates prefixes', () => {
    expect(normalizePathPrefix(undefined)).toBe('');
    expect(normalizePathPrefix('/')).toBe('');
    expect(normalizePathPrefix('proxy')).toBe('/proxy');
    expect(() => normalizePathPrefix('/a/../b')).toThrow(/CONTROL_PLANE_URL_PATH/);
    expect(() => normalizePathPrefix('/a?b')).toThrow(/CONTROL_PLANE_URL_PATH/);
  });
});
