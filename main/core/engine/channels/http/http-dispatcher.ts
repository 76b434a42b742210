/**
 * The channel's one keep-alive undici dispatcher: an `Agent`, or a `ProxyAgent` when a proxy is
 * configured. TLS toward the MCP server: the system roots plus an optional extra CA bundle
 * (additive, never a replacement), and an optional client certificate for mTLS.
 */
import { rootCertificates } from 'node:tls';
import { Agent, ProxyAgent, type Dispatcher } from 'undici';

export interface HttpDispatcherOptions {
  proxyUrl?: string;
  caBundlePem?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  /** Max wait for response headers, ms; 0 disables (the command deadline still applies). */
  headersTimeoutMs: number;
  /** Max idle time between body chunks, ms; 0 disables. */
  bodyTimeoutMs: number;
}

interface TlsOptions {
  ca?: string[];
  cert?: string;
  key?: string;
}

function tlsOptions(o: HttpDispatcherOptions): TlsOptions {
  const tls: TlsOptions = {};
  if (o.caBundlePem) tls.ca = [...rootCertificates, o.caBundlePem];
  if (o.clientCertPem) tls.cert = o.clientCertPem;
  if (o.clientKeyPem) tls.key = o.clientKeyPem;
  return tls;
}

export function createHttpDispatcher(o: HttpDispatcherOptions): Dispatcher {
  if ((o.clientCertPem === undefined) !== (o.clientKeyPem === undefined)) {
    throw new Error(
      'HTTP_CHANNEL_TLS_CONFIG: a client certificate needs its key (and the key its certificate); set both or neither',
    );
  }
  const tls = tlsOptions(o);
  const common = {
    headersTimeout: o.headersTimeoutMs,
    bodyTimeout: o.bodyTimeoutMs,
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 600_000,
  };
  if (o.proxyUrl) {
    return new ProxyAgent({
      ...common,
      uri: o.proxyUrl,
      requestTls: tls,
      proxyTls: tls.ca ? { ca: tls.ca } : {},
    });
  }
  return new Agent({ ...common, connect: tls });
}
