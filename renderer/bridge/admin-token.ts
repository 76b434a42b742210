/**
 * The admin token arrives in the URL fragment (`/ui/#token=…`, never sent to a server or kept in
 * a Referer). We take it out of the address bar at once and keep it for this tab only
 * (sessionStorage), so a reload works but the token never lands in history or bookmarks.
 */
const STORAGE_KEY = 'mcp-tunnel.admin-token';

export interface TokenEnvironment {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState'>;
  storage?: Pick<Storage, 'getItem' | 'setItem'> | undefined;
}

export function takeAdminToken(env: TokenEnvironment): string | undefined {
  const params = new URLSearchParams(env.location.hash.replace(/^#\/?/, ''));
  const fromUrl = params.get('token');
  if (fromUrl) {
    try {
      env.storage?.setItem(STORAGE_KEY, fromUrl);
    } catch {
      // storage disabled: the token lives in memory only
    }
    env.history.replaceState(null, '', `${env.location.pathname}${env.location.search}#/overview`);
    return fromUrl;
  }
  try {
    return env.storage?.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}
