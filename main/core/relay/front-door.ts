/**
 * The MCP front door: `POST|DELETE /v1/mcp/{tunnel_id}[/{channel}]`, one JSON-RPC message per
 * POST, queued as a command for the tunnel client and answered from its responses (see
 * caller-reply.ts). Checks, in order: Host/Origin (403), preflight, path shape (400), connector
 * token (401), method (405), tunnel client polling (503), body (413/400), session (404 with
 * JSON-RPC -32001 when the instance that owns it is gone), queue (429).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CHANNEL_NAME_PATTERN, TUNNEL_ID_PATTERN, type CommandType } from '../engine/protocol/wire.js';
import { CallerReply } from './caller-reply.js';
import type { RelayCommand } from './command.js';
import { forwardedHeaders } from './forwarded-headers.js';
import { answerPreflight, guardRequest } from './host-guard.js';
import { guardAsync, readBody, sendApiError, sendJson } from './http-io.js';
import type { RelayContext } from './relay-context.js';
import type { TunnelRuntime } from './tunnel-runtime.js';
import { bearerToken, newOpaqueId } from './tunnel-secrets.js';

const NOT_CONNECTED = {
  not_seen: [
    'tunnel_client_not_seen',
    'No tunnel client has polled this tunnel yet. Start the tunnel client with this tunnel id and its runtime key.',
  ],
  not_connected: [
    'tunnel_client_not_connected',
    'The tunnel client is not connected (no recent poll). Start or restart it, then retry.',
  ],
} as const;

export function handleFrontDoor(
  ctx: RelayContext,
  req: IncomingMessage,
  res: ServerResponse,
  tunnelId: string,
  channel: string | undefined,
): void {
  res.once('finish', () => ctx.metrics.frontDoorRequests.inc({ code: String(res.statusCode) }));
  const verdict = guardRequest(ctx.guard!, req, res);
  if (verdict === 'foreign_host')
    return sendApiError(
      res,
      403,
      'forbidden_host',
      'This Host is not served by the relay. Add it to the allowed hosts (--allowed-host or --public-url).',
    );
  if (verdict === 'foreign_origin')
    return sendApiError(
      res,
      403,
      'forbidden_origin',
      'This Origin is not allowed. Add it with --allowed-origin if it should be.',
    );
  if (req.method === 'OPTIONS') return answerPreflight(res);
  if (!TUNNEL_ID_PATTERN.test(tunnelId))
    return sendApiError(
      res,
      400,
      'invalid_tunnel_id_format',
      'The tunnel id must be tunnel_ followed by 32 lowercase letters or digits.',
    );
  if (channel !== undefined && !CHANNEL_NAME_PATTERN.test(channel))
    return sendApiError(res, 400, 'invalid_channel_format', 'The channel must match ^[a-z0-9_-]{1,64}$.');
  if (!ctx.authenticate(tunnelId, bearerToken(req.headers.authorization), 'connector')) {
    return sendApiError(
      res,
      401,
      'invalid_connector_token',
      'Send the tunnel connector token as Authorization: Bearer <token>.',
      {
        headers: { 'www-authenticate': 'Bearer' },
      },
    );
  }
  if (req.method !== 'POST' && req.method !== 'DELETE')
    return sendApiError(
      res,
      405,
      null,
      'This endpoint takes POST (one JSON-RPC message) and DELETE (end a session).',
      {
        headers: { allow: 'POST, DELETE' },
      },
    );
  if (ctx.closing)
    return sendApiError(res, 503, 'relay_shutting_down', 'The relay is shutting down. Retry shortly.');
  const connectivity = ctx.runtime(tunnelId).connectivity();
  if (connectivity !== 'connected') {
    const [code, message] = NOT_CONNECTED[connectivity];
    return sendApiError(res, 503, code, message, { headers: { 'retry-after': '5' } });
  }
  const target = channel ?? 'main';
  if (req.method === 'DELETE') {
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId !== 'string' || sessionId === '')
      return sendApiError(
        res,
        400,
        'missing_mcp_session_id',
        'DELETE ends a session: send the Mcp-Session-Id header of the session.',
      );
    enqueue(ctx, req, res, ctx.runtime(tunnelId), 'session_termination', target, undefined, undefined);
    return;
  }
  guardAsync(ctx.logger, res, acceptMessage(ctx, req, res, tunnelId, target));
}

async function acceptMessage(
  ctx: RelayContext,
  req: IncomingMessage,
  res: ServerResponse,
  tunnelId: string,
  channel: string,
): Promise<void> {
  const body = await readBody(req, ctx.settings.maxRequestBytes);
  if (!body.ok) {
    if (body.reason === 'too_large')
      sendApiError(
        res,
        413,
        'request_body_too_large',
        `The MCP message exceeds ${ctx.settings.maxRequestBytes} bytes.`,
        {
          close: true,
        },
      );
    return;
  }
  let message: unknown;
  try {
    message = JSON.parse(body.text);
  } catch {
    return sendApiError(
      res,
      400,
      'invalid_json_payload',
      'The body must be one JSON-RPC message (a JSON object).',
    );
  }
  if (Array.isArray(message))
    return sendApiError(
      res,
      400,
      'invalid_json_payload',
      'JSON-RPC batches are not supported: send one message per request.',
    );
  if (typeof message !== 'object' || message === null)
    return sendApiError(
      res,
      400,
      'invalid_json_payload',
      'The body must be one JSON-RPC message (a JSON object).',
    );
  if (res.destroyed) return;
  if (!ctx.store.get(tunnelId) || ctx.closing)
    return sendApiError(res, 503, 'tunnel_deleted', 'The tunnel was deleted or the relay is shutting down.');
  enqueue(
    ctx,
    req,
    res,
    ctx.runtime(tunnelId),
    'jsonrpc',
    channel,
    message as Record<string, unknown>,
    body.text,
  );
}

function enqueue(
  ctx: RelayContext,
  req: IncomingMessage,
  res: ServerResponse,
  runtime: TunnelRuntime,
  type: CommandType,
  channel: string,
  message: Record<string, unknown> | undefined,
  messageJson: string | undefined,
): void {
  const sessionHeader = req.headers['mcp-session-id'];
  const sessionKey =
    typeof sessionHeader === 'string' && sessionHeader !== '' ? `${channel}\n${sessionHeader}` : undefined;
  const route = sessionKey ? runtime.routeSession(sessionKey, channel) : undefined;
  const rpcId = message?.['id'];
  if (route?.kind === 'gone') {
    const error = {
      jsonrpc: '2.0',
      id: rpcId ?? null,
      error: { code: -32001, message: 'Session not found' },
    };
    return sendJson(res, 404, JSON.stringify(error));
  }
  if (runtime.full)
    return sendApiError(res, 429, 'tunnel_queue_full', 'The tunnel queue is full. Retry after Retry-After.', {
      headers: { 'retry-after': '1' },
    });
  const isRequest = message !== undefined && typeof message['method'] === 'string' && rpcId !== undefined;
  const accept = req.headers.accept;
  const now = ctx.clock.now();
  const cmd: RelayCommand = {
    requestId: newOpaqueId('req_'),
    shardToken: newOpaqueId('st_', 18),
    type,
    channel,
    createdAt: new Date(ctx.clock.wallNow()).toISOString(),
    enqueuedAt: now,
    deadlineAt: now + ctx.settings.responseTimeoutMs,
    headersJson: JSON.stringify(
      forwardedHeaders(req.headersDistinct as Record<string, string[]>, req.headers),
    ),
    messageJson,
    isInitialize: isRequest && message['method'] === 'initialize',
    sessionKey,
    targetInstance: route?.kind === 'pinned' ? route.instanceId : undefined,
    sink: new CallerReply(res, {
      sse: isRequest && accept !== undefined && accept.includes('text/event-stream'),
      rpcId,
      now: () => ctx.clock.now(),
      streams: ctx.streams,
    }),
    phase: 'queued',
    instanceId: undefined,
    timer: undefined,
  };
  runtime.enqueue(cmd);
}
