import { describe, expect, it } from 'vitest';
import { proxyForUrl } from '../../../../main/core/profiles/proxy-env.js';

describe('proxyForUrl', () => {
  const env = {
    HTTPS_PROXY: 'http://proxy:3128',
    http_proxy: 'http://plain:8080',
    NO_PROXY: 'localhost,.internal.example,10.0.0.1:8443',
  };

  it('picks the proxy by scheme', () => {
    expect(proxyForUrl('https://api.openai.com', env)).toBe('http://proxy:3128');
    expect(proxyForUrl('http://mcp.example.com/mcp', env)).toBe('http://plain:8080');
  });

  it('honours NO_PROXY hosts, domains and ports', () => {
    expect(proxyForUrl('http://localhost:8080/mcp', env)).toBeUndefined();
    expect(proxyForUrl('https://mcp.internal.example/mcp', env)).toBeUndefined();
    expect(proxyForUrl('https://10.0.0.1:8443/mcp', env)).toBeUndefined();
    expect(proxyForUrl('https://10.0.0.1:9443/mcp', env)).toBe('http://proxy:3128');
  });

  it('returns undefined with no proxy configured', () => {
    expect(proxyForUrl('https://api.openai.com', {})).toBeUndefined();
  });
});
