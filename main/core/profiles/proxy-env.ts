/**
 * The proxy for a URL from HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case), the way curl and
 * Go's net/http read them. Returns undefined for a direct connection.
 */
export function proxyForUrl(target: string, env: NodeJS.ProcessEnv): string | undefined {
  const url = new URL(target);
  const pick = (...names: string[]): string | undefined =>
    names
      .map((n) => env[n])
      .find((v) => v?.trim())
      ?.trim();
  const proxy =
    url.protocol === 'https:' ? pick('HTTPS_PROXY', 'https_proxy') : pick('HTTP_PROXY', 'http_proxy');
  if (!proxy) return undefined;
  const noProxy = pick('NO_PROXY', 'no_proxy');
  if (noProxy && bypasses(url, noProxy)) return undefined;
  return proxy;
}

function bypasses(url: URL, noProxy: string): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return noProxy
    .split(/[,\s]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === '*') return true;
      const [name = '', entryPort] = entry.toLowerCase().split(':');
      if (entryPort && entryPort !== port) return false;
      const bare = name.replace(/^\*?\./, '');
      return host === bare || host.endsWith(`.${bare}`);
    });
}
