/**
 * Label values for the engine's metrics, from closed sets only, so label cardinality stays
 * bounded whatever the caller sends: JSON-RPC methods come from a fixed allow-list of MCP
 * methods (anything else is `other`), tool names and request ids never become labels, and
 * status codes outside 100..599 collapse to `other`.
 *
 * Lookups return shared constant objects: the hot path (recordCommand) allocates nothing here.
 */
import type { CommandType } from '../engine/protocol/wire.js';

/** `request_kind` of the reference client's latency histogram, extended with our command kinds. */
export type RequestKind = 'call' | 'notification' | 'response' | 'session_termination';

/** One `(request_kind, request_method)` pair; the instances are module constants. */
export interface MethodKey {
  readonly kind: RequestKind;
  readonly method: string;
}

export const OTHER_LABEL = 'other';

/** MCP methods a caller sends to a server (requests and notifications) that keep their own label. */
export const ALLOWED_METHODS: readonly string[] = [
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'server/discover',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
  'notifications/message',
  'notifications/resources/updated',
  'notifications/resources/list_changed',
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
  // A caller's answer to a server request (CommandRecord.method is `response` then).
  'response',
];

const NOTIFICATION_PREFIX = 'notifications/';

function kindOf(method: string): RequestKind {
  if (method === 'response') return 'response';
  return method.startsWith(NOTIFICATION_PREFIX) ? 'notification' : 'call';
}

const KEYS = new Map<string, MethodKey>(
  ALLOWED_METHODS.map((method) => [method, { kind: kindOf(method), method }]),
);
const OTHER_CALL: MethodKey = { kind: 'call', method: OTHER_LABEL };
const OTHER_NOTIFICATION: MethodKey = { kind: 'notification', method: OTHER_LABEL };
const SESSION_TERMINATION: MethodKey = { kind: 'session_termination', method: OTHER_LABEL };

/** The bounded `(request_kind, request_method)` of one command. */
export function methodKey(commandType: CommandType, method: string | undefined): MethodKey {
  if (commandType === 'session_termination') return SESSION_TERMINATION;
  if (method === undefined) return OTHER_CALL;
  const key = KEYS.get(method);
  if (key) return key;
  return method.startsWith(NOTIFICATION_PREFIX) ? OTHER_NOTIFICATION : OTHER_CALL;
}

/** `tunnel_service_status`: the terminal POST's HTTP status when plausible, else `other`. */
export function statusLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : OTHER_LABEL;
}

const ERROR_KIND_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
/** At most this many distinct error kinds per tunnel keep their own label. */
export const MAX_ERROR_KINDS = 64;

/**
 * A label for an `errorsByKind` key. The keys are a fixed engine vocabulary; this only guards
 * against a malformed or runaway key ever reaching the exposition.
 */
export function errorKindLabel(kind: string, known: ReadonlySet<string>): string {
  if (!ERROR_KIND_PATTERN.test(kind)) return OTHER_LABEL;
  if (known.has(kind) || known.size < MAX_ERROR_KINDS) return kind;
  return OTHER_LABEL;
}

/** `commands_poll_errors_total{error_kind}` for a `poll_*` status key, else undefined. */
export function pollErrorKind(kind: string): string | undefined {
  return kind.startsWith('poll_') && kind.length > 5 ? kind.slice(5) : undefined;
}
