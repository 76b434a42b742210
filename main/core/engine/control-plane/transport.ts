/**
 * The one keep-alive undici dispatcher a control-plane client owns: an `Agent`, or a
 * `ProxyAgent` (HTTP(S) proxy, CONNECT tunnel) when a proxy URL is set. Its TLS options carry
 * the client certificate and key (mTLS) and, when an extra CA bundle is configured, a `ca` list
 * of Node's bundled roots PLUS that bundle (additive: setting `ca` alone would replace the roots).
 */
import { rootCertificates } from 'node:tls';
import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { ControlPlaneConfigError } from './base-url.js';

export interface TransportOptions {
  clientCertPem?: string;
  clientKeyPem?: string;
  /** Extra trusted CAs (PEM, one or more certificates), added to the bundled roots. */
  caBundlePem?: string;
  /** `http://[user:pass@]proxy:port` or `https://…`. */
  proxyUrl?: string;
  /** Idle keep-alive sockets live this long (the server's own hint may shorten it). */
  keepAliveTimeoutMs?: number;
  connectTimeoutMs?: number;
}

export interface TlsConnectOptions {
  cert?: string;
  key?: string;
  ca?: string[];
}

/** TLS options for connections to the control plane (and for an HTTPS proxy's `ca`). */
export function tlsConnectOptions(options: TransportOptions): TlsConnectOptions {
  const hasCert = Boolean(options.clientCertPem);
  const hasKey = Boolean(options.clientKeyPem);
  if (hasCert !== hasKey) {
    throw new ControlPlaneConfigError(
      'CONTROL_PLANE_CLIENT_CERT and CONTROL_PLANE_CLIENT_KEY must be set together: set both or neither',
    );
  }
  const out: TlsConnectOptions = {};
  if (options.clientCertPem && options.clientKeyPem) {
    out.cert = options.clientCertPem;
    out.key = options.clientKeyPem;
  }
  if (options.caBundlePem && options.caBundlePem.trim() !== '') {
    if (!options.caBundlePem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new ControlPlaneConfigError(
        'CA_BUNDLE does not contain a PEM certificate: point it at a .pem file',
      );
    }
    out.ca = [...rootCertificates, options.caBundlePem];
  }
  return out;
}

function proxyUri(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ControlPlaneConfigError('the proxy URL is not a valid URL: use http://host:port');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ControlPlaneConfigError('the proxy URL must start with http:// or https://');
  }
  return url.href;
}

/** Build the client's dispatcher. The caller owns it and closes it with the client. */
export function createTransport(options: TransportOptions): Dispatcher {
  const tls = tlsConnectOptions(options);
  const common = {
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
  };
  if (options.proxyUrl && options.proxyUrl.trim() !== '') {
    return new ProxyAgent({
      ...common,
      uri: proxyUri(options.proxyUrl.trim()),
      requestTls: tls,
      ...(tls.ca ? { proxyTls: { ca: tls.ca } } : {}),
    });
  }
  return new Agent({ ...common, connect: tls });
}
