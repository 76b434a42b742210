/**
 * What a control-plane failure means and what to do about it, for the doctor. Tunnel-service
 * error codes (openapi.json, APIErrorBody.code) map to the documented mitigation, worded for
 * mcp-tunnel's settings; bare statuses and network failures (DNS, connect, TLS, timeouts) map
 * to the setting most likely at fault. Nothing here quotes a key, a body or exception text.
 */
import type { CheckStatus } from '../../../preload/contract/dto.js';
import { networkFailure } from '../engine/channels/http/failure-outcomes.js';
import { ControlPlaneError, type ControlPlaneOperation } from '../engine/control-plane/errors.js';

export interface Advice {
  status: CheckStatus;
  summary: string;
  why: string;
  nextStep: string;
  evidence: string[];
}

const TUNNEL_ID_SETTING = 'control_plane.tunnel_id / CONTROL_PLANE_TUNNEL_ID / --control-plane.tunnel-id';
const API_KEY_SETTING = 'control_plane.api_key / CONTROL_PLANE_API_KEY (fallback OPENAI_API_KEY)';
const KEY_FIX = `Check ${API_KEY_SETTING}: it must be the tunnel's runtime key (Tunnels Read + Use) from the organization or workspace that owns the tunnel.`;

/** Documented tunnel-service codes → [what it means, what to do]. */
export const API_CODE_ADVICE: Readonly<Record<string, readonly [string, string]>> = {
  tunnel_use_forbidden: [
    'The control plane does not let this key use the tunnel: either the key has no Use permission for it, or no tunnel with this id exists for the key (the service does not tell the two apart).',
    `${KEY_FIX} Then check ${TUNNEL_ID_SETTING} against the tunnel settings page; a tunnel created in another organization or workspace also gives this error.`,
  ],
  tunnel_active_organization_required: [
    'The tunnel belongs to an organization and the request carried no organization context.',
    'Use a runtime key created in the organization that owns the tunnel (a project or service-account key of that organization). mcp-tunnel does not send an explicit organization yet: control_plane.organization_id / CONTROL_PLANE_ORGANIZATION_ID of the reference client are accepted but ignored.',
  ],
  tunnel_missing_principals: [
    'The key authenticated, but carries no organization or workspace the service can check tunnel use against.',
    `Use a runtime API key associated with the organization or workspace that owns the tunnel (${API_KEY_SETTING}), not a personal or admin key without a project.`,
  ],
  invalid_tunnel_id_format: [
    'The tunnel id in the request path is not tunnel_ followed by 32 lowercase letters or digits.',
    `Copy the exact tunnel id from the tunnel settings page into ${TUNNEL_ID_SETTING}; also check CONTROL_PLANE_URL_PATH, which is inserted before /v1.`,
  ],
  rate_limit_exceeded: [
    'The control plane is rate limiting this client for this route or tunnel.',
    'Wait for the Retry-After delay and run the doctor again; if it persists, reduce how many clients poll this tunnel (another mcp-tunnel or tunnel-client instance with the same tunnel id?).',
  ],
  tunnel_transport_unavailable: [
    'The tunnel service lost its queue backend for a moment.',
    'Retry shortly; mcp-tunnel retries polls with backoff on its own.',
  ],
  tunnel_management_permission_required: [
    'The key lacks tunnel management permission for the organization or workspace.',
    'Runtime use needs Tunnels Read + Use only; use the tunnel runtime key here, and an admin key only for managing tunnels.',
  ],
  tunnel_client_not_connected: [
    'No tunnel client is connected to drain requests for this tunnel.',
    'Start the tunnel with `mcp-tunnel run --profile NAME`, then check its /readyz endpoint and logs.',
  ],
  tunnel_client_not_seen: [
    'No tunnel client has polled this tunnel recently.',
    `Start mcp-tunnel with the matching ${TUNNEL_ID_SETTING} and API key.`,
  ],
  invalid_channel_format: [
    'A channel name contains unsupported characters.',
    'Use 1-64 lowercase letters, digits, hyphens or underscores in channel names (mcp.commands[].channel, mcp.server_urls[].channel).',
  ],
};

const DOING: Record<ControlPlaneOperation, string> = {
  getTunnel: 'fetching the tunnel metadata',
  poll: 'polling for commands',
  respond: 'posting a response',
};

export interface AdviceContext {
  operation: ControlPlaneOperation;
  /** `GET https://api.openai.com/v1/tunnels/tunnel_…` for the evidence. */
  request: string;
}

export function adviceFor(error: unknown, ctx: AdviceContext): Advice {
  const evidence = [`request: ${ctx.request}`];
  if (!(error instanceof ControlPlaneError)) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      status: 'fail',
      summary: `The control-plane client could not be set up for ${DOING[ctx.operation]}.`,
      why: message,
      nextStep: 'Fix the control-plane setting the message names (base URL, URL path, client certificate).',
      evidence,
    };
  }
  if (error.code === 'network') return networkAdvice(error, ctx, evidence);
  if (error.code === 'protocol') {
    return {
      status: 'fail',
      summary: `The server answered, but not like a tunnel control plane, while ${DOING[ctx.operation]}.`,
      why: error.message,
      nextStep:
        'Check CONTROL_PLANE_BASE_URL / control_plane.base_url and CONTROL_PLANE_URL_PATH: they must point at the tunnel service (https://api.openai.com or your relay), not at the MCP server or a web page.',
      evidence: [...evidence, ...(error.status ? [`HTTP ${error.status}`] : [])],
    };
  }
  const status = error.status ?? 0;
  evidence.push(`HTTP ${status}${error.apiCode ? ` ${error.apiCode}` : ''}`);
  if (error.retryAfterMs !== undefined)
    evidence.push(`Retry-After: ${Math.ceil(error.retryAfterMs / 1000)} s`);
  const known = error.apiCode ? API_CODE_ADVICE[error.apiCode] : undefined;
  const transient = status === 429 || status >= 500;
  const verdict: CheckStatus = status === 429 ? 'warn' : 'fail';
  if (known) {
    return {
      status: verdict,
      summary: `The control plane refused ${DOING[ctx.operation]}: ${error.apiCode} (HTTP ${status}).`,
      why: known[0],
      nextStep: known[1],
      evidence,
    };
  }
  const [why, nextStep] = statusAdvice(status);
  return {
    status: verdict,
    summary: transient
      ? `The control plane is ${status === 429 ? 'rate limiting this client' : 'unavailable'} (HTTP ${status}) while ${DOING[ctx.operation]}.`
      : `The control plane refused ${DOING[ctx.operation]} (HTTP ${status}${error.apiCode ? ` ${error.apiCode}` : ''}).`,
    why,
    nextStep,
    evidence,
  };
}

function statusAdvice(status: number): [string, string] {
  if (status === 401)
    return [
      'The control plane did not accept the API key (missing, revoked or for another environment).',
      KEY_FIX,
    ];
  if (status === 403)
    return [
      'The key authenticated but may not use this tunnel.',
      `${KEY_FIX} Then check ${TUNNEL_ID_SETTING}.`,
    ];
  if (status === 404)
    return [
      'Nothing answers for this tunnel at this address.',
      `Check ${TUNNEL_ID_SETTING}, CONTROL_PLANE_BASE_URL and CONTROL_PLANE_URL_PATH (the prefix before /v1).`,
    ];
  if (status === 429)
    return [API_CODE_ADVICE.rate_limit_exceeded![0], API_CODE_ADVICE.rate_limit_exceeded![1]];
  if (status >= 500)
    return [
      'The control plane could not serve the request right now; the tunnel cannot work until it does.',
      'Retry in a minute; if it persists, check the service status (or your relay’s logs) and that CONTROL_PLANE_BASE_URL is right.',
    ];
  return [
    'The control plane did not accept the request as sent.',
    'Check CONTROL_PLANE_URL_PATH and CONTROL_PLANE_BASE_URL, and update mcp-tunnel if the service changed its protocol.',
  ];
}

function networkAdvice(error: ControlPlaneError, ctx: AdviceContext, evidence: string[]): Advice {
  const cause = error.cause;
  const failure = networkFailure(cause, false).failure;
  const code = (cause as { code?: unknown } | undefined)?.code;
  evidence.push(
    `error: ${typeof code === 'string' ? code : (failure.transport_error_kind ?? failure.source)}`,
  );
  const doing = DOING[ctx.operation];
  switch (failure.source) {
    case 'tls':
      return {
        status: 'fail',
        summary: `TLS to the control plane failed while ${doing}.`,
        why: 'The certificate the server presented is not trusted by this machine (a private CA or a TLS-intercepting proxy), the address is not HTTPS, or the mTLS client certificate was refused.',
        nextStep:
          'Set CA_BUNDLE (or ca_bundle in the profile, or --ca-bundle) to the PEM file of the CA that signed the server or proxy certificate; for mTLS check CONTROL_PLANE_CLIENT_CERT / CONTROL_PLANE_CLIENT_KEY; check that CONTROL_PLANE_BASE_URL uses the right scheme.',
        evidence,
      };
    case 'dns':
      return {
        status: 'fail',
        summary: `The control plane's host name does not resolve (${doing}).`,
        why: 'DNS lookup failed: a typo in the base URL, no network, or a network where only a proxy can resolve outside names.',
        nextStep:
          'Check the host in CONTROL_PLANE_BASE_URL / control_plane.base_url; behind a corporate proxy set HTTPS_PROXY (or http_proxy in the profile) and NO_PROXY.',
        evidence,
      };
    case 'timeout':
      return {
        status: 'fail',
        summary: `The control plane did not answer in time while ${doing}.`,
        why: 'The connection or the response timed out: a firewall dropping packets, a slow proxy, or the service is overloaded.',
        nextStep:
          'Check that this machine may reach the control plane on port 443 (firewall, HTTPS_PROXY / NO_PROXY), then retry.',
        evidence,
      };
    default:
      return {
        status: 'fail',
        summary: `Could not connect to the control plane while ${doing}.`,
        why: 'The connection was refused, reset or could not be routed.',
        nextStep:
          'Check CONTROL_PLANE_BASE_URL (host and port; is your relay running?), the firewall, and the proxy settings (HTTPS_PROXY / HTTP_PROXY / NO_PROXY, or http_proxy in the profile).',
        evidence,
      };
  }
}
