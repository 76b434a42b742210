/**
 * Where the control plane lives: base URL, optional path prefix and the plural tunnel paths.
 *
 *   https://api.openai.com          default (CONTROL_PLANE_BASE_URL)
 *   https://mtls.api.openai.com     instead, when a client certificate is configured and the
 *                                   base URL's host is the default host
 *   {base}{prefix}/v1/tunnels/{id}[/poll|/response]   prefix = CONTROL_PLANE_URL_PATH, e.g. /proxy
 */

export const DEFAULT_CONTROL_PLANE_BASE_URL = 'https://api.openai.com';
export const MTLS_CONTROL_PLANE_BASE_URL = 'https://mtls.api.openai.com';
const DEFAULT_HOST = 'api.openai.com';
const MTLS_HOST = 'mtls.api.openai.com';

/** A configuration value the client cannot use; the message names the setting to fix. */
export class ControlPlaneConfigError extends Error {
  readonly code = 'invalid_config';
  constructor(message: string) {
    super(message);
    this.name = 'ControlPlaneConfigError';
  }
}

export interface EndpointOptions {
  baseUrl?: string;
  pathPrefix?: string;
  tunnelId: string;
  hasClientCertificate: boolean;
}

export interface ControlPlaneEndpoints {
  /** `scheme://host[:port]`, what an undici dispatcher is keyed on. */
  origin: string;
  /** GET tunnel metadata. */
  tunnelPath: string;
  /** GET long poll (append the query). */
  pollPath: string;
  /** POST responses. */
  responsePath: string;
}

/** The base URL to use: the default when unset, the mTLS host when a client cert is set on the default host. */
export function resolveBaseUrl(baseUrl: string | undefined, hasClientCertificate: boolean): URL {
  const raw =
    baseUrl === undefined || baseUrl.trim() === '' ? DEFAULT_CONTROL_PLANE_BASE_URL : baseUrl.trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ControlPlaneConfigError(
      'CONTROL_PLANE_BASE_URL is not a valid URL: use e.g. https://api.openai.com',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ControlPlaneConfigError(
      'CONTROL_PLANE_BASE_URL must start with https:// (or http:// for a local relay)',
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new ControlPlaneConfigError(
      'CONTROL_PLANE_BASE_URL must not contain credentials: put the runtime key in CONTROL_PLANE_API_KEY',
    );
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ControlPlaneConfigError(
      'CONTROL_PLANE_BASE_URL must not contain a query or fragment: use CONTROL_PLANE_URL_PATH for a path prefix',
    );
  }
  if (hasClientCertificate && url.hostname === DEFAULT_HOST) url.hostname = MTLS_HOST;
  return url;
}

/** `/proxy/` → `/proxy`, `proxy` → `/proxy`, `` and `/` → ``. */
export function normalizePathPrefix(prefix: string | undefined): string {
  if (prefix === undefined) return '';
  const trimmed = prefix.trim().replace(/\/+$/, '');
  if (trimmed === '') return '';
  if (/[?#\s\\]/.test(trimmed) || trimmed.split('/').includes('..')) {
    throw new ControlPlaneConfigError(
      'CONTROL_PLANE_URL_PATH must be a plain path such as /proxy (no query, spaces or ..)',
    );
  }
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

export function resolveEndpoints(options: EndpointOptions): ControlPlaneEndpoints {
  if (options.tunnelId.trim() === '') {
    throw new ControlPlaneConfigError(
      'CONTROL_PLANE_TUNNEL_ID is empty: copy the tunnel id from the tunnel settings',
    );
  }
  const url = resolveBaseUrl(options.baseUrl, options.hasClientCertificate);
  const basePath = url.pathname.replace(/\/+$/, '');
  const tunnelPath = `${basePath}${normalizePathPrefix(options.pathPrefix)}/v1/tunnels/${encodeURIComponent(options.tunnelId)}`;
  return {
    origin: url.origin,
    tunnelPath,
    pollPath: `${tunnelPath}/poll`,
    responsePath: `${tunnelPath}/response`,
  };
}
