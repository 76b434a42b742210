/**
 * Control-plane failures with stable codes (ControlPlaneErrorCode) and messages that say what
 * to do next. Messages never contain the API key, the shard token or request bodies; a server's
 * own error message is included only redacted and truncated.
 */
import { redactText } from '../../observability/redact.js';
import type { ControlPlaneErrorCode } from './types.js';

export type ControlPlaneOperation = 'getTunnel' | 'poll' | 'respond';

const DOING: Record<ControlPlaneOperation, string> = {
  getTunnel: 'fetching the tunnel',
  poll: 'polling for commands',
  respond: 'posting a response',
};

export interface ControlPlaneErrorInit {
  code: ControlPlaneErrorCode;
  status?: number;
  /** `error.code` of an `{error:{…}}` body, e.g. `tunnel_use_forbidden`. */
  apiCode?: string;
  /** A valid `Retry-After`, in ms from when the response arrived. */
  retryAfterMs?: number;
  /** false: the request never reached the wire (safe to resend); true: it may have. */
  requestWritten?: boolean;
  cause?: unknown;
}

export class ControlPlaneError extends Error {
  readonly code: ControlPlaneErrorCode;
  readonly status?: number;
  readonly apiCode?: string;
  readonly retryAfterMs?: number;
  readonly requestWritten?: boolean;

  constructor(message: string, init: ControlPlaneErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ControlPlaneError';
    this.code = init.code;
    if (init.status !== undefined) this.status = init.status;
    if (init.apiCode !== undefined) this.apiCode = init.apiCode;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.requestWritten !== undefined) this.requestWritten = init.requestWritten;
  }
}

export function isControlPlaneError(error: unknown): error is ControlPlaneError {
  return error instanceof ControlPlaneError;
}

/** Category of a non-success HTTP status. */
export function codeForStatus(status: number): ControlPlaneErrorCode {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limited';
  if (status >= 500 && status <= 599) return 'unavailable';
  if (status >= 400 && status <= 499) return 'bad_request';
  return 'protocol';
}

/** `{error:{code,message}}` of an error body, when it is one. Never throws. */
export function parseApiError(body: Buffer | string): { apiCode?: string; serverMessage?: string } {
  try {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') return {};
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } } | null;
    const error = parsed?.error;
    if (typeof error !== 'object' || error === null) return {};
    const out: { apiCode?: string; serverMessage?: string } = {};
    if (typeof error.code === 'string' && error.code !== '') out.apiCode = error.code.slice(0, 100);
    if (typeof error.message === 'string' && error.message !== '') out.serverMessage = error.message;
    return out;
  } catch {
    return {};
  }
}

function quoteServerMessage(message: string | undefined, secrets: readonly string[]): string {
  if (message === undefined) return '';
  let text = message;
  for (const secret of secrets) if (secret !== '') text = text.split(secret).join('[REDACTED]');
  text = redactText(text).replace(/\s+/g, ' ').trim();
  if (text.length > 200) text = `${text.slice(0, 200)}…`;
  return text === '' ? '' : ` (server said: ${JSON.stringify(text)})`;
}

function nextStep(code: ControlPlaneErrorCode, status: number, apiCode: string | undefined): string {
  switch (code) {
    case 'auth':
      return 'check CONTROL_PLANE_API_KEY (or OPENAI_API_KEY) holds a runtime key allowed to use this tunnel';
    case 'rate_limited':
      return 'back off and retry after the delay the server asked for';
    case 'unavailable':
      return 'retry with backoff; if it persists, check the control plane status and CONTROL_PLANE_BASE_URL';
    case 'bad_request':
      if (status === 404 || apiCode === 'invalid_tunnel_id_format') {
        return 'check CONTROL_PLANE_TUNNEL_ID, CONTROL_PLANE_BASE_URL and CONTROL_PLANE_URL_PATH';
      }
      if (status === 413)
        return 'the payload is larger than the control plane accepts; reduce the response size';
      return 'this client and the control plane disagree on the protocol; check CONTROL_PLANE_URL_PATH and update mcp-tunnel';
    default:
      return 'check that CONTROL_PLANE_BASE_URL points at a tunnel control plane';
  }
}

export interface StatusErrorInput {
  operation: ControlPlaneOperation;
  status: number;
  body?: Buffer | string;
  retryAfterMs?: number;
  /** Literal secrets to scrub from a quoted server message (the API key). */
  secrets?: readonly string[];
}

/** The error for a non-success HTTP status, with apiCode parsed from an `{error:{…}}` body. */
export function statusError(input: StatusErrorInput): ControlPlaneError {
  const { operation, status } = input;
  const code = codeForStatus(status);
  const { apiCode, serverMessage } = input.body === undefined ? {} : parseApiError(input.body);
  const label = apiCode ?? `HTTP ${status}`;
  const what =
    code === 'auth'
      ? `the control plane rejected the runtime API key (${label}) while ${DOING[operation]}`
      : code === 'rate_limited'
        ? `the control plane is rate limiting this client (HTTP 429${apiCode ? ` ${apiCode}` : ''}) while ${DOING[operation]}`
        : code === 'unavailable'
          ? `the control plane is unavailable (HTTP ${status}${apiCode ? ` ${apiCode}` : ''}) while ${DOING[operation]}`
          : code === 'bad_request'
            ? `the control plane refused the request (HTTP ${status}${apiCode ? ` ${apiCode}` : ''}) while ${DOING[operation]}`
            : `the control plane answered with unexpected HTTP ${status} while ${DOING[operation]}`;
  const message = `${what}: ${nextStep(code, status, apiCode)}${quoteServerMessage(serverMessage, input.secrets ?? [])}`;
  const init: ControlPlaneErrorInit = { code, status, requestWritten: true };
  if (apiCode !== undefined) init.apiCode = apiCode;
  if (input.retryAfterMs !== undefined) init.retryAfterMs = input.retryAfterMs;
  return new ControlPlaneError(message, init);
}

/** A 2xx the client cannot use (not JSON, wrong shape, too large). */
export function protocolError(
  operation: ControlPlaneOperation,
  detail: string,
  status: number | undefined,
  cause?: unknown,
): ControlPlaneError {
  const init: ControlPlaneErrorInit = { code: 'protocol', requestWritten: true, cause };
  if (status !== undefined) init.status = status;
  return new ControlPlaneError(
    `the control plane sent a response this client cannot use while ${DOING[operation]} (${detail}): check that CONTROL_PLANE_BASE_URL and CONTROL_PLANE_URL_PATH point at a tunnel control plane`,
    init,
  );
}

const TLS_HINT = /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_OSSL|HANDSHAKE/i;

/** No usable HTTP response: connect, DNS, TLS, reset, timeout. */
export function networkError(
  operation: ControlPlaneOperation,
  origin: string,
  cause: unknown,
  requestWritten: boolean,
): ControlPlaneError {
  const errCode = (cause as { code?: unknown } | null)?.code;
  const kind = typeof errCode === 'string' ? errCode : cause instanceof Error ? cause.name : 'unknown error';
  const hint = TLS_HINT.test(kind)
    ? 'check CA_BUNDLE, CONTROL_PLANE_CLIENT_CERT / _KEY and any TLS-intercepting proxy'
    : 'check the network, the proxy settings and CONTROL_PLANE_BASE_URL';
  return new ControlPlaneError(
    `could not reach the control plane at ${origin} (${kind}) while ${DOING[operation]}: ${hint}`,
    {
      code: 'network',
      requestWritten,
      cause,
    },
  );
}

/** A response POST asked for after its command's deadline: nothing was sent. */
export function deadlineError(operation: ControlPlaneOperation): ControlPlaneError {
  return new ControlPlaneError(
    `the command's deadline passed before ${DOING[operation]} could start: nothing was sent; the caller has given up on this command`,
    { code: 'network', requestWritten: false },
  );
}
