/**
 * The control plane the engine talks to, per openapi.json:
 *   GET  /v1/tunnels/{id}           metadata     (200 | 403 | 429)
 *   GET  /v1/tunnels/{id}/poll      long poll    (200 | 204 | 400 | 401 | 429 | 503)
 *   POST /v1/tunnels/{id}/response  responses    (200 | 400 | 401 | 404 | 413 | 429 | 503)
 * Only documented statuses are served: the metadata route answers every refusal (malformed id,
 * unknown tunnel, bad key) with 403 `tunnel_use_forbidden`. A request_id that belongs to another
 * tunnel is indistinguishable from an unknown one (404): nothing leaks across tunnels.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CHANNEL_NAME_PATTERN, TUNNEL_ID_PATTERN } from '../engine/protocol/wire.js';
import { commandWireJson, type RelayCommand } from './command.js';
import { guardAsync, readBody, sendApiError, sendEmpty, sendJson } from './http-io.js';
import type { RelayContext } from './relay-context.js';
import { decodeResponsePayload, parseAffinityChannels } from './response-payload.js';
import { ANONYMOUS_INSTANCE } from './tunnel-runtime.js';
import { bearerToken } from './tunnel-secrets.js';

export type ControlPlaneAction = 'metadata' | 'poll' | 'response';

const FORBIDDEN =
  'The runtime API key is missing or not valid for this tunnel. Use the runtime key issued for this tunnel.';
const INSTANCE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const ACK = '{"status":"ok"}';

export function handleControlPlane(
  ctx: RelayContext,
  req: IncomingMessage,
  res: ServerResponse,
  tunnelId: string,
  action: ControlPlaneAction,
  query: string,
): void {
  const method = action === 'response' ? 'POST' : 'GET';
  if (req.method !== method) {
    sendApiError(res, 405, null, `Use ${method} on this endpoint.`, { headers: { allow: method } });
    return;
  }
  if (action === 'metadata') {
    const record = TUNNEL_ID_PATTERN.test(tunnelId)
      ? ctx.authenticate(tunnelId, bearerToken(req.headers.authorization), 'runtime')
      : undefined;
    if (!record) return sendApiError(res, 403, 'tunnel_use_forbidden', FORBIDDEN);
    sendJson(res, 200, JSON.stringify({ id: record.id, name: record.name, description: record.description }));
    return;
  }
  if (!TUNNEL_ID_PATTERN.test(tunnelId)) {
    sendApiError(
      res,
      400,
      'invalid_tunnel_id_format',
      'The tunnel id must be tunnel_ followed by 32 lowercase letters or digits.',
      {
        param: 'tunnel_id',
      },
    );
    return;
  }
  if (!ctx.authenticate(tunnelId, bearerToken(req.headers.authorization), 'runtime')) {
    sendApiError(res, 401, 'tunnel_use_forbidden', FORBIDDEN);
    return;
  }
  if (action === 'poll') handlePoll(ctx, req, res, tunnelId, query);
  else guardAsync(ctx.logger, res, handleResponse(ctx, req, res, tunnelId));
}

function handlePoll(
  ctx: RelayContext,
  req: IncomingMessage,
  res: ServerResponse,
  tunnelId: string,
  query: string,
): void {
  if (ctx.closing) {
    sendApiError(res, 503, 'tunnel_transport_unavailable', 'The relay is shutting down. Retry shortly.', {
      headers: { 'retry-after': '1' },
    });
    return;
  }
  const runtime = ctx.runtime(tunnelId);
  const wait = runtime.pollBucket.take();
  if (wait > 0) {
    sendApiError(
      res,
      429,
      'rate_limit_exceeded',
      'Too many polls for this tunnel. Back off and retry after Retry-After.',
      {
        headers: { 'retry-after': String(wait) },
      },
    );
    return;
  }
  const params = new URLSearchParams(query);
  const limit = intParam(params.get('limit'), 1, 25, 1);
  if (limit === undefined)
    return sendApiError(res, 400, null, 'limit must be an integer from 1 to 25.', { param: 'limit' });
  const timeoutMs = intParam(
    params.get('timeout_ms'),
    1,
    Number.MAX_SAFE_INTEGER,
    ctx.settings.maxPollHoldMs,
  );
  if (timeoutMs === undefined)
    return sendApiError(res, 400, null, 'timeout_ms must be a positive integer (milliseconds).', {
      param: 'timeout_ms',
    });
  const channelFilter = params.getAll('channel');
  if (channelFilter.some((c) => !CHANNEL_NAME_PATTERN.test(c)))
    return sendApiError(res, 400, 'invalid_channel_format', 'channel must match ^[a-z0-9_-]{1,64}$.', {
      param: 'channel',
    });
  const instanceHeader = req.headers['x-tunnel-client-instance-id'];
  const instanceId =
    typeof instanceHeader === 'string' && INSTANCE_ID.test(instanceHeader)
      ? instanceHeader
      : ANONYMOUS_INSTANCE;
  const infoHeader = req.headers['x-tunnel-mcp-server-info'];

  let hold: NodeJS.Timeout | undefined = undefined;
  let answered = false;
  let cancel: () => void = () => undefined;
  const onClose = (): void => {
    if (answered) return;
    answered = true;
    if (hold) clearTimeout(hold);
    cancel();
  };
  const deliver = (commands: RelayCommand[]): boolean => {
    answered = true;
    if (hold) clearTimeout(hold);
    res.removeListener('close', onClose);
    if (res.destroyed || res.writableEnded) return false;
    if (commands.length === 0) {
      sendEmpty(res, 204);
      return true;
    }
    const now = ctx.clock.now();
    let body = '{"commands":[';
    for (let i = 0; i < commands.length; i++) body += (i > 0 ? ',' : '') + commandWireJson(commands[i]!, now);
    sendJson(res, 200, `${body}]}`);
    return true;
  };
  cancel = runtime.poll(
    {
      instanceId,
      limit,
      channels: channelFilter.length > 0 ? new Set(channelFilter) : undefined,
      deliver,
    },
    { raw: typeof infoHeader === 'string' ? infoHeader : undefined, parse: parseAffinityChannels },
  );
  if (answered) return;
  res.once('close', onClose);
  hold = setTimeout(
    () => {
      if (answered) return;
      cancel();
      deliver([]);
    },
    Math.min(timeoutMs, ctx.settings.maxPollHoldMs),
  );
}

async function handleResponse(
  ctx: RelayContext,
  req: IncomingMessage,
  res: ServerResponse,
  tunnelId: string,
): Promise<void> {
  const shardToken = req.headers['x-tunnel-shard-token'];
  if (typeof shardToken !== 'string' || shardToken === '') {
    sendApiError(
      res,
      401,
      'tunnel_request_mismatch',
      'X-Tunnel-Shard-Token is required: send the shard_token of the command you answer.',
    );
    return;
  }
  const body = await readBody(req, ctx.settings.maxResponseBytes);
  if (!body.ok) {
    if (body.reason === 'too_large')
      sendApiError(
        res,
        413,
        'request_body_too_large',
        `The response body exceeds ${ctx.settings.maxResponseBytes} bytes.`,
        {
          close: true,
        },
      );
    return;
  }
  const decoded = decodeResponsePayload(body.text);
  if (!decoded.ok) {
    sendApiError(res, 400, decoded.code, decoded.message, decoded.param ? { param: decoded.param } : {});
    return;
  }
  const runtime = ctx.runtimes.get(tunnelId);
  const outcome = runtime ? runtime.respond(decoded.response, shardToken) : 'not_found';
  if (outcome === 'ok') sendJson(res, 200, ACK);
  else if (outcome === 'mismatch')
    sendApiError(
      res,
      401,
      'tunnel_request_mismatch',
      'The shard token or channel does not match this request.',
    );
  else
    sendApiError(
      res,
      404,
      'pending_request_not_found',
      'The request was already answered, expired, or never existed for this tunnel.',
    );
}

/** undefined = invalid; absent/empty → fallback. */
function intParam(raw: string | null, min: number, max: number, fallback: number): number | undefined {
  if (raw === null || raw === '' || raw === 'null') return fallback;
  if (!/^\d{1,16}$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= min && value <= max ? value : undefined;
}
