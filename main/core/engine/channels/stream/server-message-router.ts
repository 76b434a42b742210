/**
 * Where a server→client message goes while callers share one stream:
 * - `notifications/progress`: to the call that owns the (internal) progress token, with the
 *   caller's own token restored;
 * - any other notification or server request (sampling, elicitation, roots, logging): to the
 *   most recently started call, preferring a `tools/call`;
 * - nothing in flight: notifications are dropped (debug log); server requests get a JSON-RPC
 *   error written back so the server never hangs waiting.
 * Server request ids are the server's own and pass through unchanged.
 */
import type { JsonObject } from '../../protocol/wire.js';
import type { Logger } from '../../../observability/logger.js';
import { asObject, jsonRpcError } from './json-rpc-shape.js';

export interface RoutableCall {
  readonly method: string;
  /** Replay calls (the channel's own initialize) receive nothing. */
  readonly swallow: boolean;
  /** The caller's progress token, when it sent one; the internal token is the map key. */
  readonly callerToken: string | number | undefined;
  readonly notify: (message: JsonObject) => void;
}

/** Code written back for a server request no caller can answer. */
export const NO_CALLER_ERROR_CODE = -32603;

export function routeServerMessage(
  message: JsonObject,
  kind: 'request' | 'notification',
  calls: ReadonlyMap<number, RoutableCall>,
  log: Logger,
  reply: (answer: JsonObject) => void,
): void {
  if (kind === 'notification' && message.method === 'notifications/progress') {
    const params = asObject(message.params);
    const token = params?.progressToken;
    const call = typeof token === 'number' ? calls.get(token) : undefined;
    if (!params || !call || call.swallow || call.callerToken === undefined) {
      log.debug('Progress for a request no longer in flight; dropped');
      return;
    }
    params.progressToken = call.callerToken;
    deliver(call, message, log);
    return;
  }
  const target = latestCall(calls);
  if (target) {
    deliver(target, message, log);
    return;
  }
  if (kind === 'notification') {
    log.debug('Server notification with no request in flight; dropped', { method: message.method });
    return;
  }
  log.warn('Server request with no request in flight to carry it; answered with an error', {
    method: message.method,
  });
  reply(
    jsonRpcError(message.id, NO_CALLER_ERROR_CODE, 'No client request is in flight to carry this request'),
  );
}

function latestCall(calls: ReadonlyMap<number, RoutableCall>): RoutableCall | undefined {
  let last: RoutableCall | undefined;
  let lastTool: RoutableCall | undefined;
  for (const call of calls.values()) {
    if (call.swallow) continue;
    last = call;
    if (call.method === 'tools/call') lastTool = call;
  }
  return lastTool ?? last;
}

function deliver(call: RoutableCall, message: JsonObject, log: Logger): void {
  try {
    call.notify(message);
  } catch {
    log.warn('Delivering a server message to its call failed; dropped', { method: message.method });
  }
}
